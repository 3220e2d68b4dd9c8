/**
 * The first three doctor checks, in the order a connection goes wrong: the TCP port (sshd running, firewall open),
 * the host key (pinned and unchanged), the login (key or password accepted). Each later check needs all three.
 */
import { connect } from 'node:net';
import type { ProbeAgent } from '../../../agents/agent.js';
import { errors as agentErrors } from '../../../agents/errors.js';
import type { OsInfo } from '../../../agents/probe-schemas.js';
import type { SshTarget } from '../../../fixtures/targets/inventory.js';
import { CHECK_NAMES as N, fail, pass, skip, warn, type CheckResult } from './check.js';

const FIREWALL_FIX = (port: number): string =>
  `on the device (elevated PowerShell): Add-WindowsCapability -Online -Name OpenSSH.Server~~~~0.0.1.0; ` +
  `Start-Service sshd; Set-Service sshd -StartupType Automatic; ` +
  `New-NetFirewallRule -Name dmc-sshd -DisplayName 'OpenSSH (dmc)' -Protocol TCP -LocalPort ${port} -Action Allow ` +
  '(docs/lab-setup.md)';

/** Opens and closes a TCP connection; resolves with the failure reason, or undefined when it connected. */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

export async function sshPortCheck(target: SshTarget): Promise<CheckResult> {
  const where = `${target.host}:${target.port}`;
  const reason = await tcpProbe(target.host, target.port, Math.min(target.connectTimeoutMs, 10_000));
  return reason === undefined ? pass(N.sshPort, `TCP ${where} accepts connections`) : fail(N.sshPort, `TCP ${where}: ${reason}`, FIREWALL_FIX(target.port));
}

/** The login row failed for `reason` (credentials refused, or missing on this side), with the fix for its auth. */
export function loginFailure(target: SshTarget, reason: string): CheckResult {
  return fail(N.login, reason, loginFix(target));
}

export interface LoginOutcome {
  checks: CheckResult[];
  /** The device's OS facts when the login worked (the first probe is os-info). */
  osInfo: OsInfo | undefined;
}

/** Logs in by running the os-info probe, and reads the host key and login checks off the outcome. */
export async function loginChecks(target: SshTarget, agent: ProbeAgent & { hostKeyFingerprint?: string | undefined }): Promise<LoginOutcome> {
  const keyscan = `ssh-keyscan -p ${target.port} ${target.host} | ssh-keygen -lf -`;
  try {
    const osInfo = await agent.osInfo();
    const seen = agent.hostKeyFingerprint ?? '(unknown)';
    const hostKey =
      target.hostKey === undefined
        ? warn(N.hostKey, `not pinned (acceptNewHostKey: true); the device showed ${seen}`, `check it on the device (${keyscan}) and add to the target: hostKey: ${seen}`)
        : pass(N.hostKey, `pinned ${target.hostKey} matches`);
    return { checks: [hostKey, pass(N.login, `${target.user}@${target.host} logged in (${authName(target)})`)], osInfo };
  } catch (error) {
    const message = (error as Error).message;
    const later = skip(N.login, 'not tried: the host key was refused', 'fix the host key first');
    if (agentErrors.DMC_ERR_AGENT_HOST_KEY_CHANGED.is(error)) {
      return {
        checks: [fail(N.hostKey, message, `if the device was reinstalled, confirm the new key (${keyscan}) and update hostKey in the inventory`), later],
        osInfo: undefined,
      };
    }
    if (agentErrors.DMC_ERR_AGENT_HOST_KEY_UNKNOWN.is(error)) {
      return { checks: [fail(N.hostKey, message, `pin it: hostKey: <the output of ${keyscan}>`), later], osInfo: undefined };
    }
    const hostKeyOk = pass(N.hostKey, target.hostKey === undefined ? 'accepted (not pinned)' : `pinned ${target.hostKey} matches`);
    if (agentErrors.DMC_ERR_AGENT_AUTH_FAILED.is(error) || agentErrors.DMC_ERR_AGENT_NO_CREDENTIALS.is(error)) {
      return { checks: [hostKeyOk, loginFailure(target, message)], osInfo: undefined };
    }
    if (agentErrors.DMC_ERR_AGENT_UNREACHABLE.is(error) || agentErrors.DMC_ERR_AGENT_CONNECT_TIMEOUT.is(error)) {
      return {
        checks: [skip(N.hostKey, 'not seen: no SSH handshake', 'make SSH reachable first'), fail(N.login, message, FIREWALL_FIX(target.port))],
        osInfo: undefined,
      };
    }
    // Logged in, but the first probe failed: PowerShell is the suspect, reported by the PowerShell check.
    return { checks: [hostKeyOk, pass(N.login, `${target.user}@${target.host} logged in (${authName(target)})`)], osInfo: undefined };
  }
}

function authName(target: SshTarget): string {
  const auth = target.auth;
  return 'keyFile' in auth ? `key ${auth.keyFile}` : 'agent' in auth ? 'ssh-agent' : `password from ${auth.passwordEnv}`;
}

function loginFix(target: SshTarget): string {
  const auth = target.auth;
  if ('passwordEnv' in auth) return `set ${auth.passwordEnv} to ${target.user}'s password where dmc runs, and check the account can log in over SSH`;
  if ('agent' in auth) return 'start ssh-agent, ssh-add the key, and make sure SSH_AUTH_SOCK is set where dmc runs';
  return (
    `add the public key of ${auth.keyFile} to the device: C:\\ProgramData\\ssh\\administrators_authorized_keys for an ` +
    `administrator (icacls: only Administrators and SYSTEM), else C:\\Users\\${target.user}\\.ssh\\authorized_keys`
  );
}
