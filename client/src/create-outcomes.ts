// CreateOutcomes: whether the files this mount lately created for writing were written before their last close,
// so that a create asks the master for chunk 0's write grant (Mknod want_grant) only while that pays. A grant saves
// a written file one consensus commit; for a file closed empty it costs a chunk created on `goal` chunkservers and
// deleted again, which made a run of empty creates (fsbench's meta_create, touch) half as fast on one machine.

/** Creates remembered: the decision follows a change of workload within this many files. */
export const CREATE_OUTCOMES_KEPT = 32;

export class CreateOutcomes {
  /** The last outcomes, oldest first: true for a file written before its last close. */
  private readonly outcomes: boolean[] = [];
  private written = 0;

  /** Records how a file created for writing ended (at its last close). */
  record(written: boolean): void {
    this.outcomes.push(written);
    if (written) this.written++;
    if (this.outcomes.length > CREATE_OUTCOMES_KEPT && this.outcomes.shift()) this.written--;
  }

  /** True while most of the files lately created for writing were written (or none has ended yet). */
  worthAGrant(): boolean {
    return this.written * 2 >= this.outcomes.length;
  }
}
