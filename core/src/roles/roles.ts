// The table of roles a process can run.
import type { RoleName } from '../plugins/manifest';
import { chunkserverRole } from './chunkserver/chunkserver-role';
import { clientRole } from './client/client-role';
import { masterRole } from './master/master-role';
import type { RoleDefinition } from './role-definition';

export const ROLES: Readonly<Record<RoleName, RoleDefinition>> = {
  master: masterRole,
  chunkserver: chunkserverRole,
  client: clientRole,
};
