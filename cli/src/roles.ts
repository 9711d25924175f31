// The roles this program runs: the composition root is the one place that names them (core knows none).
import { chunkserverRole } from '@mooseng/chunkserver';
import { clientRole } from '@mooseng/client';
import type { RoleTable } from '@mooseng/core';
import { masterRole } from '@mooseng/master';

/** Every role `mooseng` can run, by the name a config's `role:` gives. */
export const ROLES: RoleTable = {
  master: masterRole,
  chunkserver: chunkserverRole,
  client: clientRole,
};
