// The base of every mooseng command: turns MooseNG errors into a clear message and a non-zero exit status.
import { Command } from '@oclif/core';
import { isMoosengError } from '@mooseng/core';

export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (isMoosengError(err)) {
      this.logToStderr(`mooseng: ${err.message} [${err.code}]`);
      this.exit(2);
    }
    return super.catch(err);
  }
}
