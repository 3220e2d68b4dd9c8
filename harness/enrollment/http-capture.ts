/**
 * Reads a captured HTTP/1.1 request (`testdata/*.http`) into method, path, headers and body, so tests replay the
 * exact bytes a real Windows device sent. Content-Length is dropped: the captures were re-indented.
 */
import { readFile } from 'node:fs/promises';

export interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function parseHttpCapture(text: string): CapturedRequest {
  const normalised = text.replace(/\r\n/g, '\n');
  const split = normalised.indexOf('\n\n');
  const head = split === -1 ? normalised : normalised.slice(0, split);
  const body = split === -1 ? '' : normalised.slice(split + 2).trim();
  const [requestLine = '', ...headerLines] = head.split('\n');
  const [method = '', url = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === 'content-length') continue;
    headers[name] = line.slice(colon + 1).trim();
  }
  return { method, url, headers, body };
}

export async function readHttpCapture(path: string | URL): Promise<CapturedRequest> {
  return parseHttpCapture(await readFile(path, 'utf8'));
}
