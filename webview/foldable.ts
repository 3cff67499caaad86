// A panel section whose heading folds it: the heading is a button with aria-expanded (keyboard and
// screen readers get it for free), the body is hidden when folded. In a 300 px sidebar the sections
// together are several screens tall; folding what one is not reading keeps the rest in view.
import { el, type Child } from './dom';

export interface Foldable {
  section: HTMLElement;
  body: HTMLElement;
  /** Folds or unfolds without telling onToggle (a restore, or the panel bringing a section into view). */
  setFolded(folded: boolean): void;
  readonly folded: boolean;
}

export function foldableSection(id: string, title: string, folded: boolean, onToggle: (id: string, folded: boolean) => void, ...body: Child[]): Foldable {
  const bodyId = `${id}-body`;
  const button = el('button', { type: 'button', class: 'fold', 'aria-expanded': String(!folded), 'aria-controls': bodyId }, title);
  const bodyEl = el('div', { id: bodyId, class: 'section-body' }, ...body);
  const section = el('section', { 'aria-labelledby': `h-${id}`, id }, el('h2', { id: `h-${id}` }, button), bodyEl);
  let isFolded = folded;
  const apply = (f: boolean): void => {
    isFolded = f;
    button.setAttribute('aria-expanded', String(!f));
    bodyEl.hidden = f;
    section.classList.toggle('folded', f);
  };
  apply(folded);
  button.addEventListener('click', () => {
    apply(!isFolded);
    onToggle(id, isFolded);
  });
  return {
    section,
    body: bodyEl,
    setFolded: apply,
    get folded(): boolean {
      return isFolded;
    },
  };
}
