// `berth cp`: copy files between a container and the host, with docker's destination rules (into an
// existing directory keeps the source name; a new path renames it; `-` streams a tar).
import fs from 'node:fs';
import path from 'node:path';
import type { CommandSpec } from '../command-spec.js';
import { ApiError } from '../../client/api-error.js';
import { containerGetArchive, containerPutArchive, containerStatPath } from '../../client/containers.js';
import { extractInto, packPath, splitCpArg } from '../cp-archive.js';
import type { CliContext } from '../context.js';
import type { PathStat } from '../../api/types/index.js';

interface CpFlags {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

const GO_MODE_DIR = 2 ** 31;
const isDirMode = (m: number) => m >= GO_MODE_DIR && Math.floor(m / GO_MODE_DIR) % 2 === 1;

/** Base name as docker's SplitPathDirEntry sees it: "/out/." keeps "." (copy the contents). */
function baseOf(p: string): string {
  const trimmed = p.replace(/\/+$/, '') || '/';
  if (trimmed.endsWith('/.')) return '.';
  return path.posix.basename(trimmed);
}

export const spec: CommandSpec<CpFlags> = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  minArgs: 2,
  maxArgs: 2,
  options: (cmd) =>
    cmd
      .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
      .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
      .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached'),
  async run(ctx, args, f) {
    const [srcArg, dstArg] = args as [string, string];
    if (srcArg === '') throw new Error('source can not be empty');
    if (dstArg === '') throw new Error('destination can not be empty');
    const src = splitCpArg(srcArg);
    const dst = splitCpArg(dstArg);
    if (src.container && dst.container) throw new Error('copying between containers is not supported');
    if (!src.container && !dst.container) throw new Error('must specify at least one container source');
    if (src.container) await copyFrom(ctx, src.container, src.path, dst.path);
    else await copyTo(ctx, dst.container, src.path, dst.path, !!f.archive);
  },
};

async function copyFrom(ctx: CliContext, ctr: string, srcPath: string, dstPath: string): Promise<void> {
  let res;
  try {
    res = await containerGetArchive(ctx.client, ctr, srcPath);
  } catch (e) {
    if (e instanceof ApiError && e.statusCode === 404 && !/No such container/.test(e.message)) {
      throw new ApiError(404, `Could not find the file ${srcPath} in container ${ctr}`);
    }
    throw e;
  }
  if (dstPath === '-') {
    await new Promise<void>((resolve, reject) => {
      res.body.on('error', reject).on('end', resolve).pipe(ctx.io.stdout, { end: false });
    });
    return;
  }
  const srcIsDir = res.stat ? isDirMode(res.stat.mode) : false;
  const srcBase = res.stat?.name || baseOf(srcPath);
  const copyContents = srcPath.endsWith('/.');
  const dst = path.resolve(ctx.io.cwd, dstPath);
  let dstStat: fs.Stats | null = null;
  try {
    dstStat = fs.statSync(dst);
  } catch {
    dstStat = null;
  }
  if (dstStat?.isDirectory()) {
    // Into an existing directory: keep the source's name, or spill its contents for "SRC/.".
    await extractInto(res.body, dst, copyContents ? { from: srcBase, to: '' } : undefined);
    return;
  }
  if (dstStat && srcIsDir) throw new Error(`cannot copy a directory to a file: ${dstPath}`);
  if (!dstStat && dstPath.endsWith('/')) {
    if (!srcIsDir) throw new Error(`destination directory ${dstPath} does not exist`);
  }
  const parent = path.dirname(dst);
  if (!fs.existsSync(parent)) throw new Error(`destination directory ${path.dirname(dstPath)} does not exist`);
  await extractInto(res.body, parent, { from: srcBase, to: path.basename(dst) });
}

async function copyTo(ctx: CliContext, ctr: string, srcPath: string, dstPath: string, copyUIDGID: boolean): Promise<void> {
  let dstStat: PathStat | null = null;
  try {
    dstStat = await containerStatPath(ctx.client, ctr, dstPath);
  } catch (e) {
    if (!(e instanceof ApiError && e.statusCode === 404 && /Could not find the file/.test(e.message))) throw e;
  }
  const dstIsDir = dstStat ? isDirMode(dstStat.mode) : false;
  if (srcPath === '-') {
    if (!dstIsDir) throw new Error(`destination "${ctr}:${dstPath}" must be a directory`);
    await containerPutArchive(ctx.client, ctr, dstPath, ctx.io.stdin, { copyUIDGID });
    return;
  }
  const local = path.resolve(ctx.io.cwd, srcPath);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(local);
  } catch {
    throw new Error(`lstat ${local}: no such file or directory`);
  }
  const copyContents = srcPath.endsWith('/.');
  if (dstStat && dstIsDir) {
    await containerPutArchive(ctx.client, ctr, dstPath, packPath(local, copyContents ? '' : path.basename(local)), { copyUIDGID });
    return;
  }
  if (dstStat && st.isDirectory()) throw new Error(`cannot copy a directory to a file: ${ctr}:${dstPath}`);
  if (!dstStat && dstPath.endsWith('/') && !st.isDirectory()) throw new Error(`destination "${ctr}:${dstPath}" does not exist`);
  const parent = path.posix.dirname(dstPath.replace(/\/+$/, '')) || '/';
  const name = path.posix.basename(dstPath.replace(/\/+$/, ''));
  await containerPutArchive(ctx.client, ctr, parent, packPath(local, name), { copyUIDGID });
}
