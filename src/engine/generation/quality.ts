// Classifier-judged figures for a class-conditional generator (SalUn §5; docs/method.md, "SalUn for
// generation"), in percent like the classification metrics:
//   UA        = share of the images generated for the forgotten class that the classifier does NOT
//               label as that class (forgetting succeeded: ≈ 100);
//   retained  = the classifier's accuracy on the images generated for each retained class, i.e.
//               how often the model still draws what it is asked for (image quality's first proxy).

export interface RetainedAccuracy {
  /** Mean of the per-class accuracies (equal to the pooled accuracy when classes have equal counts). */
  mean: number;
  perClass: Array<{ class: number; accuracy: number; samples: number }>;
}

export interface GenerationAgreement {
  ua: number;
  /** Images generated for the forgotten class. */
  forgetSamples: number;
  retainedAccuracy: RetainedAccuracy;
}

/**
 * From each sample's conditioning class and whether the classifier labelled it as that class.
 * Classes are reported in the order they first appear.
 */
export function generationAgreement(classes: Int32Array, correct: Uint8Array, forgetClass: number): GenerationAgreement {
  if (classes.length !== correct.length) throw new Error(`${classes.length} classes for ${correct.length} predictions`);
  const hits = new Map<number, { right: number; total: number }>();
  classes.forEach((c, i) => {
    const h = hits.get(c) ?? { right: 0, total: 0 };
    h.right += correct[i];
    h.total += 1;
    hits.set(c, h);
  });
  const forget = hits.get(forgetClass);
  if (!forget) throw new Error(`no images were generated for the forgotten class ${forgetClass}`);
  const perClass = [...hits].filter(([c]) => c !== forgetClass).map(([c, h]) => ({ class: c, accuracy: (100 * h.right) / h.total, samples: h.total }));
  const mean = perClass.length ? perClass.reduce((s, p) => s + p.accuracy, 0) / perClass.length : NaN;
  return { ua: 100 - (100 * forget.right) / forget.total, forgetSamples: forget.total, retainedAccuracy: { mean, perClass } };
}
