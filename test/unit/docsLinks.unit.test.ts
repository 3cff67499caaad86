// Rule as a test: everything a reader of the repository is pointed to is in the repository. Every
// relative Markdown link (and image, and <img src>) of README.md, CHANGELOG.md, docs/ and the other
// pages (test/peers/README.md, models/gen-demo/README.md, …) names a file or folder of the checkout,
// a `#anchor` names a heading of the page it points to, and a repository path in a page's code span
// names a file. No source, test, script, bench or doc file cites notes kept outside the checkout or a
// numbered issue of a tracker the reader does not have: a comment says what the thing is and why, in
// its own words. And docs/development.md's layout lists every folder of the source tree.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** The folders whose text files may not point outside the repository, and the top-level files. */
const SCANNED_FOLDERS = ['src', 'test', 'scripts', 'bench', 'docs', 'webview'];
const SCANNED_FILES = ['README.md'];
const TEXT_FILE = /\.(ts|mjs|cjs|js|py|sh|md|txt|json|css|html)$/;
/** The one exception: this file, whose synthetic cases spell out what the rule looks for. */
const STATES_THE_RULE = 'test/unit/docsLinks.unit.test.ts';

/** References that leave the checkout: the design notes once kept beside it, and tracker numbers. */
const OUTSIDE_REFERENCES: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /shared\/docs/i, what: 'a folder outside the checkout' },
  { pattern: /\b(ARCHITECTURE|METHOD|STYLE)\.md\b/, what: 'a note outside the checkout (docs/architecture.md, method.md, style.md are the pages)' },
  { pattern: /\bissues?\s+#?\d+/i, what: 'an issue number of a tracker the reader does not have' },
  { pattern: /\(#\d+\)/, what: 'an issue number of a tracker the reader does not have' },
];

function walk(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p, keep);
    return keep(name) ? [p] : [];
  });
}

function repoPath(base: string, abs: string): string {
  return relative(base, abs).split(sep).join('/');
}

/** Markdown with its fenced code blocks blanked (line numbers kept). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** Markdown without fenced code blocks and inline code, where a link-like text is no link. */
function proseOf(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

export interface MarkdownLink {
  target: string;
  line: number;
}

/** Every link, image and <img src> target of a Markdown text, with its line. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const prose = proseOf(markdown);
  const links: MarkdownLink[] = [];
  const lineAt = (index: number): number => prose.slice(0, index).split('\n').length;
  for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1], line: lineAt(m.index) });
  for (const m of prose.matchAll(/<img\b[^>]*\bsrc="([^"]+)"/g)) links.push({ target: m[1], line: lineAt(m.index) });
  return links;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, each space a hyphen; repeats get -1, -2, … */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of prose.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** What is wrong with each relative link of one Markdown file of `base`, one line each. */
export function linkProblems(base: string, file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const problems: string[] = [];
  for (const { target, line } of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, vscode: … leave the repository on purpose
    const [pathPart, anchor] = target.split('#', 2);
    const at = `${repoPath(base, file)}:${line}: ${target}`;
    const dest = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (repoPath(base, dest).startsWith('..')) {
      problems.push(`${at} leaves the repository`);
      continue;
    }
    if (!existsSync(dest)) {
      problems.push(`${at} names no file`);
      continue;
    }
    if (anchor && dest.endsWith('.md') && !headingAnchors(readFileSync(dest, 'utf8')).has(anchor))
      problems.push(`${at} names no heading of ${repoPath(base, dest)}`);
  }
  return problems;
}

/** The checkout's top-level folders: a code span of a page that starts with one names a file of the checkout. */
const CODE_PATH = /(?<![\w./-])((?:src|test|scripts|bench|webview|docs|media|models|schemas)\/[\w./-]*\w)/g;

/** Repository paths written in a page's code spans (`src/engine/tf.ts`) that name nothing; globs are patterns, not paths. */
export function codePathProblems(base: string, file: string): string[] {
  const problems: string[] = [];
  withoutFences(readFileSync(file, 'utf8'))
    .split('\n')
    .forEach((lineText, i) => {
      for (const span of lineText.matchAll(/`([^`]+)`/g)) {
        if (/[*{}<>]/.test(span[1])) continue;
        for (const m of span[1].matchAll(CODE_PATH)) {
          if (!existsSync(join(base, m[1])) && !existsSync(resolve(dirname(file), m[1])))
            problems.push(`${repoPath(base, file)}:${i + 1}: ${m[1]} names no file`);
        }
      }
    });
  return problems;
}

/** Every line of a text that cites something outside the repository, with what it cites. */
export function outsideReferences(text: string): { line: number; what: string; text: string }[] {
  return text
    .split('\n')
    .flatMap((lineText, i) =>
      OUTSIDE_REFERENCES.filter(({ pattern }) => pattern.test(lineText)).map(({ what }) => ({ line: i + 1, what, text: lineText.trim().slice(0, 120) })),
    );
}

/** The folders development.md's layout must list: every folder of src/ and webview/, two levels of test/. */
function layoutFolders(base: string): string[] {
  const folders = (dir: string, depth: number): string[] =>
    depth === 0 || !existsSync(dir)
      ? []
      : readdirSync(dir)
          .filter((n) => statSync(join(dir, n)).isDirectory())
          .flatMap((n) => [`${repoPath(base, join(dir, n))}/`, ...folders(join(dir, n), depth - 1)]);
  return ['webview/', 'test/', ...folders(join(base, 'src'), Infinity), ...folders(join(base, 'webview'), Infinity), ...folders(join(base, 'test'), 2)];
}

/** The folders a layout block names: the first word of each line of development.md's "Layout" code block. */
export function listedFolders(markdown: string): Set<string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Layout')) ?? '';
  const block = /^```[^\n]*\n([\s\S]*?)^```/m.exec(section)?.[1] ?? '';
  return new Set(
    block
      .split('\n')
      .map((l) => l.split(/\s+/)[0])
      .filter((w) => w.endsWith('/')),
  );
}

function markdownFiles(base: string): string[] {
  const pages = ['docs', 'test', 'models', 'data', 'bench', 'scripts'].flatMap((d) => walk(join(base, d), (n) => n.endsWith('.md')));
  return [join(base, 'README.md'), join(base, 'CHANGELOG.md'), ...pages].filter((f) => existsSync(f));
}

function scannedFiles(base: string): string[] {
  const all = [
    ...SCANNED_FOLDERS.flatMap((d) => walk(join(base, d), (n) => TEXT_FILE.test(n))),
    ...SCANNED_FILES.map((f) => join(base, f)).filter((f) => existsSync(f)),
  ];
  return all.filter((f) => repoPath(base, f) !== STATES_THE_RULE);
}

describe('docs links and references stay inside the repository', () => {
  it('reads the real pages and sources (so an empty list cannot pass)', () => {
    const pages = markdownFiles(root).map((f) => repoPath(root, f));
    for (const page of ['README.md', 'docs/architecture.md', 'docs/method.md', 'docs/style.md', 'docs/development.md'])
      assert.ok(pages.includes(page), `${page} is read`);
    const links = markdownLinks(readFileSync(join(root, 'README.md'), 'utf8'));
    assert.ok(
      links.some((l) => l.target === 'docs/architecture.md'),
      'the README links the architecture page',
    );
    assert.ok(scannedFiles(root).length > 300, 'the sources are scanned');
  });

  it('every relative link in README.md, CHANGELOG.md, docs/ and the other pages resolves, anchors included', () => {
    assert.deepEqual(
      markdownFiles(root).flatMap((f) => linkProblems(root, f)),
      [],
    );
  });

  it('every repository path a page writes in a code span names a file of the checkout', () => {
    assert.deepEqual(
      markdownFiles(root).flatMap((f) => codePathProblems(root, f)),
      [],
    );
  });

  it('no file under src/, test/, scripts/, bench/, docs/, webview/ or the README cites notes outside the checkout or an issue number', () => {
    const found = scannedFiles(root).flatMap((f) =>
      outsideReferences(readFileSync(f, 'utf8')).map((r) => `${repoPath(root, f)}:${r.line}: ${r.what}: ${r.text}`),
    );
    assert.deepEqual(found, []);
  });

  it("docs/development.md's layout lists every folder of src/, webview/ and two levels of test/, and no folder that is gone", () => {
    const listed = listedFolders(readFileSync(join(root, 'docs', 'development.md'), 'utf8'));
    const wanted = layoutFolders(root);
    assert.deepEqual(
      wanted.filter((f) => !listed.has(f)),
      [],
      'folders the layout does not list',
    );
    assert.deepEqual(
      [...listed].filter((f) => !existsSync(join(root, f))),
      [],
      'folders the layout lists that do not exist',
    );
  });

  it('finds a planted bad link, a bad anchor and a link out of the repository, and passes a good one (a temp tree)', () => {
    const base = mkdtempSync(join(tmpdir(), 'salun-docs-'));
    mkdirSync(join(base, 'docs'));
    writeFileSync(join(base, 'docs', 'page.md'), '# A page\n\n## The `salun` CLI, briefly\n');
    writeFileSync(
      join(base, 'README.md'),
      [
        '# Read me',
        'See [the page](docs/page.md), [its CLI](docs/page.md#the-salun-cli-briefly), [here](#read-me) and [the site](https://example.com/x.md).',
        'A [missing page](docs/gone.md) and [a wrong anchor](docs/page.md#nowhere).',
        'Notes [beside the checkout](../shared/notes.md).',
        'Code in `docs/page.md`, `out/docs/built.js`, `test/*.unit.test.ts` and `src/deleted.ts`.',
        '```',
        '[inside code](not/a/link.md)',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(linkProblems(base, join(base, 'README.md')), [
      'README.md:3: docs/gone.md names no file',
      'README.md:3: docs/page.md#nowhere names no heading of docs/page.md',
      'README.md:4: ../shared/notes.md leaves the repository',
    ]);
    assert.deepEqual(codePathProblems(base, join(base, 'README.md')), ['README.md:5: src/deleted.ts names no file']);
  });

  it('finds each kind of outside reference, and not the words alone', () => {
    const text = [
      '// see ../shared/docs/x',
      '// as in ARCHITECTURE.md',
      '// (issue 14) and Issues #3',
      '// fixed in (#12)',
      '// UAX #11 and an issue that has no number',
    ].join('\n');
    assert.deepEqual(
      outsideReferences(text).map((r) => r.line),
      [1, 2, 3, 4],
    );
  });

  it('computes GitHub anchors for headings with code, punctuation and repeats', () => {
    const anchors = headingAnchors('# Generation unlearning (`salun gen-demo`, `"task": "generation"`)\n## Tests\n## Tests\n');
    assert.deepEqual([...anchors], ['generation-unlearning-salun-gen-demo-task-generation', 'tests', 'tests-1']);
  });
});
