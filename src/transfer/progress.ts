// How far an import has come, on stderr: one line redrawn in place on a terminal
// (rows, share of the file, rate and time left), plain lines every ten seconds
// otherwise (a log file or CI has no use for carriage returns).
import type { WriteStream } from 'node:tty';

const PLAIN_LINE_EVERY_MS = 10_000;

export function progressReporter(
  out: Pick<WriteStream, 'write'> & { isTTY?: boolean },
  totalBytes: number,
  bytesRead: () => number,
) {
  const started = Date.now();
  let lastPlainLine = started;
  const line = (rows: number) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const share = totalBytes === 0 ? 1 : Math.min(bytesRead() / totalBytes, 1);
    const left = share === 0 ? undefined : (seconds / share) * (1 - share);
    return (
      `${rows.toLocaleString('en')} rows, ${Math.floor(share * 100)} %, ` +
      `${Math.round(rows / seconds).toLocaleString('en')} rows/s` +
      (left === undefined ? '' : `, ${formatSeconds(left)} left`)
    );
  };
  return {
    update(rows: number) {
      if (out.isTTY === true) {
        out.write(`\r\x1b[K${line(rows)}`);
      } else if (Date.now() - lastPlainLine >= PLAIN_LINE_EVERY_MS) {
        lastPlainLine = Date.now();
        out.write(`${line(rows)}\n`);
      }
    },
    /** Ends the redrawn line, so what follows starts on a line of its own. */
    done() {
      if (out.isTTY === true) out.write('\n');
    },
  };
}

function formatSeconds(seconds: number): string {
  const whole = Math.ceil(seconds);
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}
