// A Wing & Gong linearizability checker with Lowe's memoization (as in Porcupine), for one read/write register.

/** One client operation on a register. `ret` is Infinity when the client never learned the outcome. */
export interface RegisterOp {
  call: number;
  ret: number;
  kind: 'write' | 'read';
  /** Written value, or the value the read returned. */
  value: string;
}

interface Event {
  kind: 'call' | 'return';
  op: number;
  time: number;
  prev: Event | null;
  next: Event | null;
  match: Event | null;
}

/** Bound on distinct (linearized set, state) pairs explored, so a pathological history fails loudly, not slowly. */
export const MAX_SEARCH_STATES = 2_000_000;

/**
 * True if the history is linearizable for a register starting at `initial`. Reads never answered must be left out
 * of `ops`; writes never answered stay in with ret = Infinity (they may have taken effect or not).
 */
export function checkRegister(ops: readonly RegisterOp[], initial = ''): boolean {
  if (ops.length === 0) return true;
  // Calls sort before returns at equal times, which only makes the check more permissive (ops overlap).
  const events: Event[] = [];
  ops.forEach((op, i) => {
    const call: Event = { kind: 'call', op: i, time: op.call, prev: null, next: null, match: null };
    const ret: Event = { kind: 'return', op: i, time: op.ret, prev: null, next: null, match: null };
    call.match = ret;
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.kind === b.kind ? a.op - b.op : a.kind === 'call' ? -1 : 1));
  const head: Event = { kind: 'call', op: -1, time: -Infinity, prev: null, next: null, match: null };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }

  const lift = (call: Event): void => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Event): void => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const linearized = new Uint8Array(ops.length);
  const cache = new Set<string>();
  const stack: { call: Event; state: string }[] = [];
  let state = initial;
  let entry = head.next;
  while (head.next !== null) {
    if (entry === null) throw new Error('invariant broken: linearizability search ran off the list');
    if (entry.kind === 'call') {
      const op = ops[entry.op];
      const ok = op.kind === 'write' || op.value === state;
      const newState = op.kind === 'write' ? op.value : state;
      if (ok) {
        linearized[entry.op] = 1;
        const key = `${newState}\u0000${Buffer.from(linearized).toString('base64')}`;
        if (!cache.has(key)) {
          if (cache.size >= MAX_SEARCH_STATES) throw new Error(`linearizability search exceeded ${MAX_SEARCH_STATES} states`);
          cache.add(key);
          stack.push({ call: entry, state });
          state = newState;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[entry.op] = 0;
      }
      entry = entry.next;
    } else {
      // A return whose call is not linearized yet: backtrack.
      const top = stack.pop();
      if (!top) return false;
      linearized[top.call.op] = 0;
      state = top.state;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return true;
}
