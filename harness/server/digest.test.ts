import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeMd5Digest, digestMatches, md5Challenge } from './digest.js';

describe('SyncML MD5 digest', () => {
  it('computes B64(MD5(B64(MD5(name:secret)):nonce)) over the decoded nonce bytes', () => {
    // Reference values from `openssl md5 -binary | base64`: B64(MD5("user:pwd")) = dA7s6vUIIDhLt8hnMgvMhw==,
    // then MD5 over "dA7s6vUIIDhLt8hnMgvMhw==:nonce".
    assert.equal(computeMd5Digest('user', 'pwd', Buffer.from('nonce').toString('base64')), 'gEgHLp7F38Ct3OVR5T2f7A==');
  });

  it('depends on the nonce, so a used nonce cannot be replayed against a fresh one', () => {
    assert.notEqual(computeMd5Digest('user', 'pwd', 'AAAA'), computeMd5Digest('user', 'pwd', 'AAAB'));
  });

  it('compares digests exactly, tolerating surrounding whitespace from the XML text', () => {
    assert.equal(digestMatches(' gEgHLp7F38Ct3OVR5T2f7A==\n', 'gEgHLp7F38Ct3OVR5T2f7A=='), true);
    assert.equal(digestMatches('gEgHLp7F38Ct3OVR5T2f7B==', 'gEgHLp7F38Ct3OVR5T2f7A=='), false);
    assert.equal(digestMatches('short', 'gEgHLp7F38Ct3OVR5T2f7A=='), false);
  });

  it('challenges with Format b64, Type syncml:auth-md5 and the NextNonce', () => {
    assert.deepEqual(md5Challenge('bm9uY2U='), { Meta: { Format: 'b64', Type: 'syncml:auth-md5', NextNonce: 'bm9uY2U=' } });
  });
});
