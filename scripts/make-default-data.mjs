// Writes the bundled default data set: a class-balanced, seeded subset of Fashion-MNIST
// (Zalando Research, MIT licence) taken from Debian's dataset-fashion-mnist package.
//   node scripts/make-default-data.mjs [sourceDir] [trainPerClass] [testPerClass]
// Output: data/fashion-mnist-subset/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz + SOURCE.md
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const trainPerClass = Number(process.argv[3] ?? 1000);
const testPerClass = Number(process.argv[4] ?? 200);
const out = join(root, 'data', 'fashion-mnist-subset');

function readIdx(path) {
  const b = gunzipSync(readFileSync(path));
  const nd = b[3];
  const shape = [];
  for (let i = 0; i < nd; i++) shape.push(b.readUInt32BE(4 + 4 * i));
  return { shape, header: b.subarray(0, 4 + 4 * nd), data: b.subarray(4 + 4 * nd) };
}

// mulberry32: a tiny seeded PRNG so the subset is the same on every machine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(labels, perClass, seed) {
  const rand = rng(seed);
  const byClass = new Map();
  labels.forEach((l, i) => {
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l).push(i);
  });
  const chosen = [];
  for (const [, idx] of [...byClass.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    chosen.push(...idx.slice(0, perClass));
  }
  // Interleave classes in a seeded order so that the file is not sorted by label.
  for (let i = chosen.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
  }
  return chosen;
}

function writeIdx(path, dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  writeFileSync(path, gzipSync(Buffer.concat([header, Buffer.from(data)]), { level: 9 }));
}

mkdirSync(out, { recursive: true });
for (const [split, perClass, seed] of [
  ['train', trainPerClass, 1],
  ['t10k', testPerClass, 2],
]) {
  const img = readIdx(join(src, `${split}-images-idx3-ubyte.gz`));
  const lab = readIdx(join(src, `${split}-labels-idx1-ubyte.gz`));
  const [, h, w] = img.shape;
  const chosen = pick(Array.from(lab.data), perClass, seed);
  const px = new Uint8Array(chosen.length * h * w);
  const ls = new Uint8Array(chosen.length);
  chosen.forEach((idx, i) => {
    px.set(img.data.subarray(idx * h * w, (idx + 1) * h * w), i * h * w);
    ls[i] = lab.data[idx];
  });
  writeIdx(join(out, `${split}-images-idx3-ubyte.gz`), [chosen.length, h, w], px);
  writeIdx(join(out, `${split}-labels-idx1-ubyte.gz`), [chosen.length], ls);
  console.log(`${split}: ${chosen.length} samples (${perClass} per class)`);
}
writeFileSync(
  join(out, 'SOURCE.md'),
  `# Bundled default data\n\nA class-balanced subset of Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017; © Zalando SE, MIT licence),\n${trainPerClass} training and ${testPerClass} test images per class, drawn with fixed seeds by\n\`scripts/make-default-data.mjs\` from Debian's \`dataset-fashion-mnist\` package.\n`,
);
