// Temporary projects that install the packed tarballs as a user would: `npm install <tarball>`
// into a fresh folder, from the registry or npm's cache, and what the install brought.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Project {
  dir: string;
  /** What `npm install` printed (stdout and stderr). */
  installLog: string;
}

/** A fresh ESM project under `parent` with `specs` installed (tarball paths or name@version). */
export async function newProject(parent: string, name: string, specs: string[], flags: string[] = []): Promise<Project> {
  const dir = mkdtempSync(join(parent, `${name}-`));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `try-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2),
  );
  const { stdout, stderr } = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'warn', ...flags, ...specs],
    {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    },
  );
  return { dir, installLog: `${stdout}\n${stderr}` };
}

/** The version of a package the repository has installed, so a project gets the same one. */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Bytes under a folder, as `du --apparent-size` counts them. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const s = statSync(join(dir, entry), { throwIfNoEntry: false });
    if (s?.isFile()) total += s.size;
  }
  return total;
}

/** Installed packages that run a script when installed (preinstall, install, postinstall, or a binding.gyp). */
export function packagesWithInstallScripts(nodeModules: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      if (name.startsWith('@')) {
        visit(path);
        continue;
      }
      const manifest = join(path, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; scripts?: Record<string, string> };
      const scripts = pkg.scripts ?? {};
      if (scripts.preinstall || scripts.install || scripts.postinstall || existsSync(join(path, 'binding.gyp'))) found.push(pkg.name);
      if (existsSync(join(path, 'node_modules'))) visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found.sort();
}

/** Runs a command in a project; rejects with its output when it fails. */
export async function exec(dir: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
    return `${stdout}${stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${dir}: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
