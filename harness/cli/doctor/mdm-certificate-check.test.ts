/**
 * The doctor's "MDM certificate" row on the device states a virtual device cannot be put in: a certificate kept in
 * SYSTEM's store, one in no store the agent reads, no registered thumbprint, a probe that fails. The agent is an
 * in-memory stand-in answering enrollments and certificates; the row is what a lab reads.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeAgent } from '../../../agents/agent.js';
import type { Enrollment } from '../../../agents/probe-schemas.js';
import type { MdmCertificateStore } from '../../../fixtures/conformance/mdm-certificate.js';
import { myStoresCertificates, type HeldThumbprints } from '../../../fixtures/conformance/test-support/my-stores.js';
import { enrollmentsCheck, mdmCertificateCheck } from './device-checks.js';

const PROVIDER = 'DMCHarness';
const THUMB = 'AB'.repeat(20);

function enrollment(provider: string, thumbprint: string | null): Enrollment {
  return {
    EnrollmentId: '0F3B1C2D-1111-2222-3333-444455556666', ProviderID: provider, UPN: null, EnrollmentState: 1, EnrollmentType: 6,
    DiscoveryServiceFullURL: null, DMPCertThumbPrint: thumbprint,
  };
}

function agentWith(enrollments: Enrollment[], held: HeldThumbprints, asked: MdmCertificateStore[] = []): ProbeAgent {
  return { enrollments: async () => enrollments, certificates: myStoresCertificates(held, asked) } as unknown as ProbeAgent;
}

describe('dmc doctor: the MDM certificate row', () => {
  it('names the store holding the registered certificate, looking no further than it', async () => {
    const asked: MdmCertificateStore[] = [];
    const row = await mdmCertificateCheck(agentWith([enrollment(PROVIDER, THUMB.toLowerCase())], { 'CurrentUser\\My of SYSTEM': [THUMB] }, asked), PROVIDER);
    assert.deepEqual(row, { name: 'MDM certificate', status: 'pass', detail: `${THUMB} in CurrentUser\\My of SYSTEM` });
    assert.deepEqual(asked, ['LocalMachine\\My', 'CurrentUser\\My of SYSTEM']);
  });

  it('warns when no store the agent reads holds it, naming them, and says what that costs', async () => {
    const row = await mdmCertificateCheck(agentWith([enrollment(PROVIDER, THUMB)], { 'LocalMachine\\My': ['CD'.repeat(20)] }), PROVIDER);
    assert.equal(row.status, 'warn');
    assert.equal(row.detail, `${THUMB} is in none of LocalMachine\\My, CurrentUser\\My of SYSTEM, CurrentUser\\My of the agent login: a run can still identify the device by the registry, but DMC-UNENR-005 cannot check the certificate's removal`);
    assert.match(row.fix ?? '', /dmc unenroll it and let the harness enroll it/);
  });

  it('warns when Windows registered no thumbprint, and passes when there is no enrollment of ours to look at', async () => {
    const missing = await mdmCertificateCheck(agentWith([enrollment(PROVIDER, null), enrollment('Other', THUMB)], {}), PROVIDER);
    assert.equal(missing.status, 'warn');
    assert.match(missing.detail, /^no DMPCertThumbPrint under 0F3B1C2D-1111-2222-3333-444455556666: /);
    const none = await mdmCertificateCheck(agentWith([enrollment('Other', THUMB)], {}), PROVIDER);
    assert.deepEqual(none, { name: 'MDM certificate', status: 'pass', detail: `no enrollment of ${PROVIDER} yet: nothing to look for` });
  });

  it('the enrollments row and this one can share one read of the enrollments, as the doctor does', async () => {
    let agentReads = 0;
    const agent = agentWith([enrollment(PROVIDER, THUMB)], { 'LocalMachine\\My': [THUMB] });
    const counted = Object.assign(Object.create(agent) as ProbeAgent, { enrollments: async () => { agentReads += 1; return [enrollment(PROVIDER, THUMB)]; } });
    let shared: Promise<Enrollment[]> | undefined;
    const readEnrollments = () => (shared ??= counted.enrollments());
    assert.equal((await enrollmentsCheck(counted, PROVIDER, readEnrollments)).status, 'pass');
    assert.equal((await mdmCertificateCheck(counted, PROVIDER, readEnrollments)).status, 'pass');
    assert.equal(agentReads, 1);
  });

  it('a probe that fails is a failed row naming the error, not a crash of the doctor', async () => {
    const agent = { enrollments: async () => { throw new Error('probe enrollments: exit code 1\nmore'); } } as unknown as ProbeAgent;
    const row = await mdmCertificateCheck(agent, PROVIDER);
    assert.equal(row.status, 'fail');
    assert.equal(row.detail, 'probe enrollments: exit code 1');
  });
});
