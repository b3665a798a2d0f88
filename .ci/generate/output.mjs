// What every generator does with its result: with --check, fail naming the stale file, so that
// `make verify` catches drift; otherwise write the file if it changed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `file` should read `wanted`; `matches` says so when it does, `stale` what is out of date when not. */
export function writeOrCheck(file, wanted, { matches, stale }) {
  const relative = path.relative(root, file);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (process.argv.includes('--check')) {
    if (current !== wanted) {
      console.error(`${relative}: ${stale}: run \`make generate\` and commit.`);
      process.exit(1);
    }
    console.log(matches);
  } else if (current !== wanted) {
    writeFileSync(file, wanted);
    console.log(`wrote ${relative}`);
  }
}

/** `text` with what lies between the markers `start` and `end` (both kept) replaced by `content`. */
export function betweenMarkers(text, start, end, content, file) {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path.relative(root, file)} lacks the markers ${start} … ${end}`);
  return text.slice(0, from) + content + text.slice(to + end.length);
}
