import cliProgress from 'cli-progress';
import type { IngestProgress } from '../ingest/pipeline.ts';

/** A progress bar on stderr for interactive terminals. */
export function ingestProgressBar(): { update: (p: IngestProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'ingest [{bar}] {value}/{total} sources | {documents} docs, {chunks} chunks, {failed} failed | {current}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = { documents: p.documents, chunks: p.chunks, failed: p.failed, current: (p.current ?? '').slice(-40) };
      if (!started) {
        bar.start(Math.max(p.sourcesTotal, 1), p.sourcesDone, payload);
        started = true;
      } else bar.update(p.sourcesDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
