// `mooseng mount -o ...`: mount options as mfsmount and mount(8) take them, turned into client settings.
import { ErrorCodes, MoosengError } from '@mooseng/core';

/** An option that takes a value: the client setting it sets and how its text becomes the setting's value. */
interface ValuedOption {
  setting: string;
  /** The value as the setting wants it, or throws naming what is wrong. */
  parse: (text: string, name: string) => unknown;
  help: string;
}

/** Seconds (mfsmount's unit, fractions allowed) → the setting's milliseconds. */
function seconds(text: string, name: string): number {
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s < 0)
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `mount option ${name}=${text}: want a number of seconds, 0 or more (e.g. ${name}=1.5)`,
    );
  return Math.round(s * 1000);
}

function path(text: string, name: string): string {
  if (!text.startsWith('/'))
    throw new MoosengError(
      ErrorCodes.CONFIG_INVALID,
      `mount option ${name}=${text}: want an absolute path of the file system (e.g. ${name}=/projects/a)`,
    );
  return text;
}

const VALUED: Record<string, ValuedOption> = {
  subdir: { setting: 'client.subdir', parse: path, help: 'the directory to show as the root' },
  attrcacheto: { setting: 'client.attrTimeoutMs', parse: seconds, help: 'seconds the kernel caches attributes' },
  entrycacheto: { setting: 'client.entryTimeoutMs', parse: seconds, help: 'seconds the kernel caches names' },
  negentrycacheto: { setting: 'client.negativeTimeoutMs', parse: seconds, help: 'seconds the kernel caches missing names' },
};

/** Flags: the setting and the value the flag gives it. */
const FLAGS: Record<string, { setting: string; value: unknown }> = {
  ro: { setting: 'client.readOnly', value: true },
  rw: { setting: 'client.readOnly', value: false },
};

/** mfsmount's names for the same options (mfssubfolder=, mfsattrcacheto=, ...). */
const ALIASES: Record<string, string> = {
  mfssubfolder: 'subdir',
  mfsattrcacheto: 'attrcacheto',
  mfsentrycacheto: 'entrycacheto',
  mfsnegentrycacheto: 'negentrycacheto',
};

/** Options mount(8) hands every helper, which mean nothing more here (the mount is always nodev and nosuid). */
const IGNORED = new Set([
  'defaults',
  'auto',
  'noauto',
  'user',
  'nouser',
  'users',
  '_netdev',
  'nofail',
  'nodev',
  'nosuid',
  'exec',
  'noexec',
]);

/** What `-o` knows, for --help and for the error naming an unknown option. */
export const MOUNT_OPTIONS_HELP = [
  ...Object.keys(FLAGS),
  ...Object.entries(VALUED).map(([name, o]) => `${name}=… (${o.help})`),
  `and mfsmount's ${Object.keys(ALIASES).join(', ')}`,
].join(', ');

/**
 * `-o` texts (each "a,b=c,...", possibly several) as `path=json` overrides for the config loader, later options
 * winning as mount(8) has it. An unknown option is refused, naming the known ones: a typo must not mount with a
 * setting silently left out.
 */
export function mountOptionOverrides(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const text of texts) {
    for (const option of text.split(',').filter((o) => o !== '')) {
      const eq = option.indexOf('=');
      const given = eq < 0 ? option : option.slice(0, eq);
      const name = ALIASES[given] ?? given;
      if (eq < 0 && FLAGS[name]) out.push(`${FLAGS[name].setting}=${JSON.stringify(FLAGS[name].value)}`);
      else if (eq >= 0 && VALUED[name])
        out.push(`${VALUED[name].setting}=${JSON.stringify(VALUED[name].parse(option.slice(eq + 1), given))}`);
      else if (IGNORED.has(option)) continue;
      else
        throw new MoosengError(
          ErrorCodes.CONFIG_INVALID,
          VALUED[name]
            ? `mount option ${given} wants a value (${given}=…)`
            : `unknown mount option "${option}"; known: ${MOUNT_OPTIONS_HELP}`,
        );
    }
  }
  return out;
}
