// The unlearning methods of a generation job, one row each (as src/protocol/methods.ts is for
// classifiers): what the config, the schema, the reports and the job read. Each row's loss lives in
// src/engine/generation/ and is mapped to its name once, in unlearn.ts's ITERATIONS (checked by the
// compiler to cover every row). Retrain is not a row: it is the job's `retrain` flag, as for
// classifiers. The names are a namespace of their own: "salun" here is SalUn-gen, not the
// classifier method of the same name.

export interface GenerationMethodRow {
  /** Tables, grids, reports. */
  label: string;
  description: string;
  /** Whether only the salient weights move (the mask is computed from the diffusion loss on Df). */
  usesMask: boolean;
  /** The recipe field that weighs the method's second term: β (the denoising loss on Dr) or η (ESD's guidance). */
  knob: 'beta' | 'eta';
}

export const GENERATION_METHODS = {
  salun: {
    label: 'SalUn',
    description:
      'SalUn-gen: the forgotten class must predict what θo predicts for another class, plus β · the denoising loss on Dr; only salient weights move.',
    usesMask: true,
    knob: 'beta',
  },
  esd: {
    label: 'ESD',
    description:
      "Erased Stable Diffusion adapted to class conditioning: the forgotten class's prediction is pushed to θo's unconditional one minus η times its guidance direction.",
    usesMask: false,
    knob: 'eta',
  },
  rl: {
    label: 'RL',
    description: "SalUn-gen's objective with every weight free (no mask): what the mask adds.",
    usesMask: false,
    knob: 'beta',
  },
} as const satisfies Record<string, GenerationMethodRow>;

export type GenerationMethodName = keyof typeof GENERATION_METHODS;

/** In table order. */
export const GENERATION_METHOD_NAMES = Object.keys(GENERATION_METHODS) as GenerationMethodName[];
