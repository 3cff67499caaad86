// The paper's shorthand, glossed where a user first meets it (the New Run flow, log lines, the
// panel's headers as a title): one wording for each, so every surface explains it the same way.

export interface Term {
  /** The symbol as tables and figures print it. */
  short: string;
  /** What it is, in the user's words. */
  gloss: string;
}

export const TERMS = {
  original: { short: 'θo', gloss: 'the original model, before unlearning' },
  forget: { short: 'Df', gloss: 'the data to forget' },
  retain: { short: 'Dr', gloss: 'the rest of the training data' },
  retrain: { short: 'Retrain', gloss: 'a model trained without the data to forget' },
} as const satisfies Record<string, Term>;

export type TermName = keyof typeof TERMS;

/** "Df (the data to forget)": the first use of a term where there is room. */
export function glossed(name: TermName): string {
  const t: Term = TERMS[name];
  return `${t.short} (${t.gloss})`;
}

/** "θo: the original model, before unlearning · Df: …": the legend beside a table that uses the shorthand. */
export function termsNote(): string {
  return (Object.values(TERMS) as Term[]).map((t) => `${t.short}: ${t.gloss}`).join(' · ');
}
