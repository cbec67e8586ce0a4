import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ManifestSchema } from '@assay/contracts';
import { CliError } from '../CliError';
import { packageFiles } from './template';

/** Writes a new package `<root>/<id>/` from the template; refuses a bad id or an existing folder. */
export async function scaffoldPackage(root: string, id: string, title: string): Promise<string[]> {
  const idCheck = ManifestSchema.shape.id.safeParse(id);
  if (!idCheck.success) throw new CliError(`"${id}" is not a problem id: ${idCheck.error.issues[0]?.message ?? 'invalid'}`);
  const dir = path.join(root, id);
  if (await exists(dir)) throw new CliError(`${dir} already exists: choose another id or remove it`);
  const written: string[] = [];
  for (const file of packageFiles(id, title)) {
    const target = path.join(dir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, { flag: 'wx' });
    written.push(path.relative(root, target));
  }
  return written;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
