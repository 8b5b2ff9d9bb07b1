/**
 * Child process of the FileEventLog durability test: appends `count` records
 * to the log at `path`, one awaited append each, printing `appended <n>` after
 * each; then waits to be killed (SIGKILL) without closing the log.
 * Usage: tsx eventLogChild.ts <path> <count>
 */
import { FileEventLog } from '../../../src/stores/file/fileEventLog.js';
import { feedbackRecord } from '../../contracts/eventLogContract.js';

const [path, countText] = process.argv.slice(2);
const log = new FileEventLog({ path: path!, fsync: 'always' });
const count = Number(countText);
for (let n = 0; n < count; n++) {
  await log.append([feedbackRecord(n)]);
  process.stdout.write(`appended ${n + 1}\n`);
}
setInterval(() => undefined, 60_000);
