/**
 * Writes the OCR test images in test/fixtures/ocr/ (committed, so tests need no CJK font):
 * `npx tsx scripts/make-ocr-fixtures.ts` on a machine with DejaVu and WenQuanYi Micro Hei fonts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';

export const OCR_FIXTURES = {
  'en.png': { font: 'DejaVu Serif', lines: ['Invoice 4471 from Brightwater Logistics.', 'The ceramic valves arrived in Rotterdam', 'on 12 March, two days late.'] },
  'zh.png': { font: 'WenQuanYi Micro Hei', lines: ['青岛港的集装箱吞吐量', '在去年增长了百分之八。'] },
  'scan.png': { font: 'DejaVu Sans', lines: ['Scanned appendix', 'The Halvorsen turbine failed its', 'vibration test in the third week.'] },
} as const;

const dir = path.resolve(import.meta.dirname, '../test/fixtures/ocr');
for (const [name, { font, lines }] of Object.entries(OCR_FIXTURES)) {
  const size = 34;
  const canvas = createCanvas(900, 80 + lines.length * size * 1.7);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#000';
  ctx.font = `${size}px "${font}"`;
  lines.forEach((line, i) => ctx.fillText(line, 50, 50 + size + i * size * 1.7));
  // Grey levels carry no text: a 1-bit-like PNG stays a few kilobytes.
  writeFileSync(path.join(dir, name), await canvas.encode('png'));
}
