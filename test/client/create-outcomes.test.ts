// CreateOutcomes: a mount asks for chunk 0's grant with a create only while the files it lately created for writing
// were mostly written; a run of empty creates turns it off, and written files turn it on again.
import { expect } from 'chai';
import { CREATE_OUTCOMES_KEPT, CreateOutcomes } from '@mooseng/client';

describe('create outcomes (whether a create asks for a write grant)', () => {
  it('asks before anything is known, and while most recent creates were written', () => {
    const o = new CreateOutcomes();
    expect(o.worthAGrant()).to.equal(true);
    o.record(true);
    o.record(false);
    expect(o.worthAGrant(), 'one of two written').to.equal(true);
    o.record(false);
    expect(o.worthAGrant(), 'one of three written').to.equal(false);
  });

  it('follows a change of workload within the files it keeps', () => {
    const o = new CreateOutcomes();
    for (let i = 0; i < 100; i++) o.record(false);
    expect(o.worthAGrant(), 'after a run of empty files').to.equal(false);
    for (let i = 0; i < CREATE_OUTCOMES_KEPT / 2; i++) o.record(true);
    expect(o.worthAGrant(), 'half of those kept written').to.equal(true);
    for (let i = 0; i < CREATE_OUTCOMES_KEPT; i++) o.record(false);
    expect(o.worthAGrant(), 'the written ones forgotten').to.equal(false);
  });
});
