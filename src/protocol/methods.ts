// The unlearning methods of both tasks, one row each, in the order the New Run flow lists them.
// Everything that names methods (the config schemas, grids, the comparison table, the New Run flow,
// reports, the panel, a generation job's table) reads this table. A row's flat fields describe the
// method for classifiers; its `generation` facet, when present, says what it is in a generation job
// (SalUn-gen, RL-gen); a row with only the facet (ESD) is a generation method alone. The engine maps
// each name to its implementation once per task, with a compile-time check that every row of the
// task has one: src/engine/methods/registry.ts for classifiers, ITERATIONS in
// src/engine/generation/unlearn.ts for generation. Adding a method of either task is a row here, a
// file of its task's engine and a line in that task's registry.
import type { OptimizerRecipe } from './config';

/**
 * One hyper-parameter of a method: its default (with where it comes from) and its range, which the
 * config schema and the grid search both check.
 */
export interface MethodOptionSpec {
  default: number;
  description: string;
  /** Why this default: a paper, the authors' code, or our own measurement. */
  source: string;
  minimum: number;
  /** The minimum itself is not allowed (a value must be above it). */
  exclusiveMinimum?: boolean;
  maximum: number;
  integer?: boolean;
}

/** A method's hyper-parameters: their group's key in a config's `methodOptions`, and each one. */
export interface MethodOptionGroup {
  key: string;
  description: string;
  params: Readonly<Record<string, MethodOptionSpec>>;
}

/** What a method is in a generation job (docs/method.md, "SalUn for generation"): a facet of its row. */
export interface GenerationFacet {
  /** What the method does to a class-conditional diffusion model. */
  description: string;
  /** The paper of the generation variant, when it is not the row's. */
  paper?: string;
  /** Whether only the salient weights move (the mask is computed from the diffusion loss on Df). */
  usesMask: boolean;
  /** The recipe field that weighs the method's second term: β (the denoising loss on Dr) or η (ESD's guidance). */
  knob: 'beta' | 'eta';
  /** Position in a generation job's table and its default `methods`, ascending. */
  order: number;
  /**
   * The default `gen-grid` axes (genGrid.ts): the rate and the method's own knob, a factor of 2
   * either side of the generation recipe (lr 1e-4, ratio 0.5, β 1e-3, η 1).
   */
  grid: readonly { param: 'lr' | 'iterations' | 'ratio' | 'beta' | 'eta'; values: readonly number[] }[];
}

/** A method that exists for generation alone: the names every row has, and its facet. */
export interface GenerationOnlyRow {
  label: string;
  summary: string;
  description: string;
  paper: string;
  generation: GenerationFacet;
}

/** A method of a classification run (and, with `generation`, of a generation job too). */
export interface MethodRow {
  /** The one display name: tables, reports, the panel, the New Run flow, progress. */
  label: string;
  /**
   * The New Run pick list's description beside the label: a few words (the test bounds the length,
   * so it is never cut at the quick pick's width).
   */
  summary: string;
  /** The pick list's detail line under it: what the method does, in one line that fits the quick pick. */
  description: string;
  /** The method the New Run flow marks "recommended" and highlights first (exactly one row, DEFAULT_METHOD). */
  recommended?: true;
  /** The paper the method comes from. */
  paper: string;
  /** 'always': the method is defined inside the saliency mask; 'optional': only when the config says `masked`. */
  mask: 'always' | 'optional';
  /** One step instead of epochs: the flow asks for no epochs or rate, progress shows one step. */
  oneShot: boolean;
  /** The New Run flow asks for the mask ratio. */
  asksRatio: boolean;
  /** What differs from DEFAULT_UNLEARN in the method's starting recipe. */
  recipe: Readonly<Partial<OptimizerRecipe>>;
  /** Why that recipe. */
  recipeSource: string;
  options?: MethodOptionGroup;
  /** The default `salun grid` axes: parameter names are 'lr', 'epochs', 'ratio' or '<options key>.<param>'. */
  grid: readonly { param: string; values: readonly number[] }[];
  /** Position in `salun table`, ascending (Retrain and Original always come first); spaced so a new row fits between. */
  tableOrder: number;
  /** Set when data-parallel workers do not apply to the method: why (its own gradient loop). */
  singleThread?: string;
  /**
   * An automatic recipe: the method (a row name) whose rate and stop epoch it chooses without
   * Retrain. `"unlearn": { "auto": true }` in a run config turns that method into this row.
   */
  autoOf?: string;
  /** The same method in a generation job. */
  generation?: GenerationFacet;
  /**
   * A meta-method that runs another row (RUM): the row it runs unless the config's
   * `methodOptions.<options key>.inner` names another, and why that one.
   */
  inner?: { default: string; description: string; source: string };
  /** Progress counts this many runs of the inner method's epochs (RUM: one per subset). */
  innerRuns?: number;
  /** `salun audit` audits it when no methods are given (SalUn and RL: the method and its unmasked self). */
  auditedByDefault?: true;
}

/**
 * The starting recipe every method adapts (SalUn's own): constant rate as in the authors' scripts.
 * The rate came from a small grid on the default protocol (10% random forgetting, seed 1): 0.002
 * barely forgets (UA 2.9 vs Retrain's 11), 0.01 forgets but costs retain accuracy (RA 91), 0.005 had
 * the smallest Avg. Gap.
 */
export const DEFAULT_UNLEARN: OptimizerRecipe = { epochs: 5, lr: 0.005, schedule: 'constant', momentum: 0.9, weightDecay: 5e-4, batchSize: 128 };

// The other methods' rates follow the authors' scripts' relative scale (Unlearn-Sparse, Unlearn-Saliency).
const BS_BE_RATE =
  "BS and BE train on the data to forget alone, with nothing holding the rest in place, so they need a far smaller rate: on the default protocol (10% random, seed 1, 5 epochs, momentum 0.9) lr 0.005 destroyed the model (BS RA 30%, BE RA 3%), 5e-4 still did (RA 54%, 26%), 1e-4 kept RA ≈ 96–97% and lowered the Avg. Gap below Original's.";
const AUTO_RECIPE =
  "DEFAULT_UNLEARN as the search's frame: its rate is the centre of the rates tried (× 0.2, 0.4, 1, 2, scaled down when Df is over 10% of the data), its epochs each rate's length; the rule is in src/engine/methods/salunAuto.ts.";
const FT_RATE = 'FT and ℓ1-sparse use a larger rate than RL (authors: 0.01 vs 0.013 at batch 256 for 10 epochs).';

/** SSD's two constants, which LFSSD shares (its code changes only the importance): α selects, λ dampens. */
function dampeningParams(source: { alpha: string; lambda: string }): Record<'alpha' | 'lambda', MethodOptionSpec> {
  return {
    alpha: {
      default: 10,
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1e6,
      description: 'Selection weighting α: a weight is dampened when its importance on Df exceeds α times its importance on D',
      source: source.alpha,
    },
    lambda: {
      default: 1,
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1e6,
      description: 'Dampening constant λ: a selected weight is multiplied by min(λ·I_D/I_Df, 1)',
      source: source.lambda,
    },
  };
}

export const METHODS = {
  salun: {
    label: 'SalUn',
    summary: 'random labels, inside the saliency mask',
    description: 'Random labels on the data to forget, fine-tuning on the rest; only the most salient weights move',
    recommended: true,
    auditedByDefault: true,
    paper: 'Fan et al., ICLR 2024',
    mask: 'always',
    oneShot: false,
    asksRatio: true,
    recipe: {},
    recipeSource: 'DEFAULT_UNLEARN (a grid on the default protocol)',
    grid: [
      { param: 'lr', values: [0.002, 0.005, 0.01] },
      { param: 'ratio', values: [0.3, 0.5, 0.7] },
    ],
    tableOrder: 80,
    generation: {
      description:
        'SalUn-gen: the forgotten class must predict what θo predicts for another class, plus β · the denoising loss on Dr; only salient weights move.',
      usesMask: true,
      knob: 'beta',
      order: 10,
      grid: [
        { param: 'lr', values: [5e-5, 1e-4, 2e-4] },
        { param: 'ratio', values: [0.3, 0.5, 0.7] },
      ],
    },
  },
  'salun-auto': {
    label: 'SalUn-auto',
    summary: 'SalUn with its rate and stop epoch chosen',
    description: 'SalUn tried at 4 rates, each epoch judged without Retrain (auto.json in the run folder says why)',
    paper: 'Fan et al., ICLR 2024; the choice by the Retrain-free verdict (docs/verdict.md)',
    mask: 'always',
    oneShot: false,
    asksRatio: true,
    recipe: {},
    recipeSource: AUTO_RECIPE,
    autoOf: 'salun',
    grid: [{ param: 'ratio', values: [0.3, 0.5, 0.7] }],
    tableOrder: 85,
  },
  rl: {
    label: 'RL',
    summary: 'random labelling; every weight moves',
    description: 'Random labels on the data to forget and fine-tuning on the rest of the training data',
    auditedByDefault: true,
    paper: 'Golatkar et al., CVPR 2020',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: {},
    recipeSource: "DEFAULT_UNLEARN (SalUn's, the same objective)",
    grid: [{ param: 'lr', values: [0.002, 0.005, 0.01] }],
    tableOrder: 20,
    generation: {
      description: "SalUn-gen's objective with every weight free (no mask): what the mask adds.",
      paper: 'Fan et al., ICLR 2024 (the generation baseline)',
      usesMask: false,
      knob: 'beta',
      order: 30,
      grid: [
        { param: 'lr', values: [5e-5, 1e-4, 2e-4] },
        { param: 'beta', values: [5e-4, 1e-3, 2e-3] },
      ],
    },
  },
  'rl-auto': {
    label: 'RL-auto',
    summary: 'RL with its rate and stop epoch chosen',
    description: 'RL tried at 4 rates, each epoch judged without Retrain (auto.json in the run folder says why)',
    paper: 'Golatkar et al., CVPR 2020; the choice by the Retrain-free verdict (docs/verdict.md)',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: {},
    recipeSource: AUTO_RECIPE,
    autoOf: 'rl',
    grid: [{ param: 'epochs', values: [3, 5, 8] }],
    tableOrder: 25,
  },
  ft: {
    label: 'FT',
    summary: 'fine-tuning on the rest of the data',
    description: 'Training goes on with the rest of the training data alone, so the data to forget fades',
    paper: 'Warnecke et al., NDSS 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { lr: 0.01 },
    recipeSource: FT_RATE,
    grid: [{ param: 'lr', values: [0.005, 0.01, 0.02] }],
    tableOrder: 10,
  },
  ga: {
    label: 'GA',
    summary: 'gradient ascent on the data to forget',
    description: 'Pushes the loss on the data to forget up',
    paper: 'Thudi et al., EuroS&P 2022',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { lr: 1e-4 },
    recipeSource: 'A much smaller rate than RL (authors: 1e-4).',
    grid: [{ param: 'lr', values: [3e-5, 1e-4, 3e-4] }],
    tableOrder: 30,
  },
  l1: {
    label: 'ℓ1-sparse',
    summary: 'fine-tuning with an ℓ1 penalty',
    description: 'Fine-tuning on the rest of the training data with a decaying ℓ1 penalty on the weights',
    paper: 'Jia et al., NeurIPS 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { lr: 0.01 },
    recipeSource: FT_RATE,
    options: {
      key: 'l1',
      description: 'ℓ1-sparse: fine-tuning + α_t·‖θ‖₁',
      params: {
        alpha: {
          default: 5e-4,
          minimum: 0,
          maximum: 1,
          description: 'ℓ1 weight at the first epoch; decays linearly: α_t = alpha·(1 − (t−1)/epochs); 0 is plain fine-tuning',
          source: "the ℓ1-sparse authors' value (Jia et al., NeurIPS 2023; Unlearn-Sparse scripts)",
        },
      },
    },
    grid: [
      { param: 'lr', values: [0.005, 0.01] },
      { param: 'l1.alpha', values: [1e-4, 5e-4, 1e-3] },
    ],
    tableOrder: 50,
  },
  bs: {
    label: 'BS',
    summary: 'boundary shrink',
    description: 'Trains each sample to forget towards its nearest wrong class',
    paper: 'Chen et al., CVPR 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { lr: 1e-4 },
    recipeSource: BS_BE_RATE,
    options: {
      key: 'bs',
      description: 'Boundary shrink',
      params: {
        epsilon: {
          default: 0.1,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 1,
          description: "L∞ bound of the FGSM step on the original model that finds each sample's nearest wrong class, in [0,1] pixel units",
          source: "hard-coded in the authors' boundary-shrink code (on [0,1] pixels)",
        },
      },
    },
    grid: [
      { param: 'lr', values: [3e-5, 1e-4, 3e-4] },
      { param: 'bs.epsilon', values: [0.05, 0.1] },
    ],
    tableOrder: 60,
  },
  be: {
    label: 'BE',
    summary: 'boundary expanding',
    description: 'An extra class absorbs the data to forget, then is pruned',
    paper: 'Chen et al., CVPR 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { lr: 1e-4 },
    recipeSource: BS_BE_RATE,
    options: {
      key: 'be',
      description: 'Boundary expanding',
      params: {
        shadowInitStd: {
          default: 0.01,
          minimum: 0,
          maximum: 1,
          description: "Std of the extra (shadow) class's initial kernel column; its bias starts at 0",
          source: '"small", so the shadow logit starts near 0 and the original model\'s predictions are unchanged at step 0',
        },
      },
    },
    grid: [{ param: 'lr', values: [3e-5, 1e-4, 3e-4] }],
    tableOrder: 70,
  },
  iu: {
    label: 'IU',
    summary: 'influence unlearning: one step, no epochs',
    description: 'One Newton-like (WoodFisher) step that removes the influence of the data to forget',
    paper: 'Izzo et al., AISTATS 2021; Jia et al., NeurIPS 2023',
    mask: 'optional',
    oneShot: true,
    asksRatio: false,
    recipe: { epochs: 1 },
    recipeSource: 'One-shot: the recipe is unused except for the batch size of the gradient passes.',
    options: {
      key: 'iu',
      description: 'Influence unlearning: θ += alpha·(damping·I + F̂)⁻¹·v, F̂ the WoodFisher estimate',
      params: {
        alpha: {
          default: 20,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 1e6,
          description: 'Scale of the one-shot step',
          source:
            "α = 1 would be the plain Newton step, but with λ = 1 dominating F̂ it barely moves (default protocol, seed 1: Avg. Gap 5.9 vs Original's 6.0); a sweep gave 10 → 4.6, 20 → 2.5, 50 → 12.5 (RA collapses), 200 → 62.6. One seed and one scenario: tune it with the grid.",
        },
        damping: {
          default: 1,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 1e6,
          description: 'λ: the WoodFisher recursion starts from H₀⁻¹ = I/λ',
          source: "the authors' WoodFisher recursion starts from H₀⁻¹ = I",
        },
        fisherSamples: {
          default: 256,
          minimum: 1,
          maximum: 4096,
          integer: true,
          description: 'Per-sample retain gradients in the WoodFisher estimate; memory grows as samples × weights',
          source: 'authors: ≈1000 on a GPU; the gradients are held in memory, 256 × P floats',
        },
      },
    },
    grid: [{ param: 'iu.alpha', values: [5, 10, 20, 50] }],
    tableOrder: 40,
    singleThread: 'its gradient sums and per-sample Fisher gradients are its own loop',
  },
  'salun-soft': {
    label: 'SalUn-soft',
    summary: 'SalUn with a soft pull instead of a mask',
    description: 'Random labelling with a soft pull back to the original model instead of a hard mask',
    paper: 'Fan et al., ICLR 2024 (soft-thresholding variant)',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: {},
    recipeSource: "DEFAULT_UNLEARN (RL's objective)",
    options: {
      key: 'salunSoft',
      description: 'SalUn-soft',
      params: {
        lambda: {
          default: 0.01,
          minimum: 0,
          maximum: 100,
          description: 'After each step θ ← θo + soft(θ − θo, lambda·lr) (θo: the original model), the proximal step of lambda·‖θ − θo‖₁',
          source:
            'about the size of a per-weight cross-entropy gradient, so small updates are pulled back to the original model while the large, forget-driven ones survive. Tune it with the grid.',
        },
      },
    },
    grid: [
      { param: 'lr', values: [0.005, 0.01] },
      { param: 'salunSoft.lambda', values: [0.003, 0.01, 0.03] },
    ],
    tableOrder: 90,
  },
  scrub: {
    label: 'SCRUB',
    summary: 'student-teacher distillation',
    description: 'A student copy of the original model moves away from it on the data to forget, near it elsewhere',
    paper: 'Kurmanji et al., NeurIPS 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { epochs: 3, lr: 5e-4 },
    recipeSource:
      'The authors\' large-scale setting (github.com/meghdadk/SCRUB, large_scale_unlearning.ipynb, "SCRUB Forgetting": sgda_epochs 3, sgda_learning_rate 5e-4, momentum 0.9, weight decay 5e-4; their step decay at epoch 3 never fires within 3 epochs, so the rate is constant).',
    options: {
      key: 'scrub',
      description: 'SCRUB: max-steps −KL on the data to forget, min-steps alpha·KL + gamma·CE on the rest',
      params: {
        alpha: {
          default: 0.001,
          minimum: 0,
          maximum: 1000,
          description: 'Weight of KL(teacher ‖ student) in the min-steps',
          source: "the authors' args.alpha = 0.001 (large_scale_unlearning.ipynb)",
        },
        gamma: {
          default: 0.99,
          minimum: 0,
          maximum: 1000,
          description: 'Weight of the cross-entropy in the min-steps',
          source: "the authors' args.gamma = 0.99",
        },
        maxSteps: {
          default: 2,
          minimum: 0,
          maximum: 1000,
          integer: true,
          description: 'Epochs that begin with a max pass over the data to forget',
          source: "the authors' args.msteps = 2",
        },
        temperature: {
          default: 4,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 100,
          description: 'Temperature T of the softened outputs in the KL (scaled by T²)',
          source: "the authors' args.kd_T = 4",
        },
      },
    },
    grid: [
      { param: 'lr', values: [5e-4, 2e-3, 5e-3] },
      { param: 'scrub.maxSteps', values: [1, 2] },
    ],
    tableOrder: 75,
    singleThread: 'its teacher–student losses are its own loop',
  },
  'neggrad-plus': {
    label: 'NegGrad+',
    summary: 'fine-tuning and gradient ascent in one loss',
    description: 'Each step: α·CE on a retain batch minus (1 − α)·CE on a forget batch',
    paper: 'Kurmanji et al., NeurIPS 2023',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { epochs: 10, lr: 0.01, momentum: 0, weightDecay: 0 },
    recipeSource:
      "The SCRUB authors' NegGrad+ (github.com/meghdadk/SCRUB, large_scale_ictest.ipynb: 10 epochs, SGD lr 0.01 without momentum or weight decay, retain batches of 128); constant rate.",
    options: {
      key: 'neggradPlus',
      description: 'NegGrad+: alpha·CE(retain) − (1 − alpha)·CE(forget) per step',
      params: {
        alpha: {
          default: 0.9999,
          minimum: 0,
          maximum: 1,
          description: 'Weight of the retain cross-entropy; the forget term weighs 1 − alpha; 1 is FT',
          source: "the authors' ng_alpha = 0.9999 (large_scale_ictest.ipynb; 0.95 in their small-scale notebook)",
        },
        forgetBatchSize: {
          default: 32,
          minimum: 1,
          maximum: 4096,
          integer: true,
          description: 'Rows per forget batch (one per retain batch, the forget batches cycling)',
          source: "the authors' forget loader batch of 32 (large_scale_ictest.ipynb)",
        },
      },
    },
    grid: [
      { param: 'lr', values: [0.005, 0.01, 0.02] },
      { param: 'neggradPlus.alpha', values: [0.99, 0.999, 0.9999] },
    ],
    tableOrder: 35,
  },
  ssd: {
    label: 'SSD',
    summary: 'selective synaptic dampening: no training',
    description: 'Shrinks the weights far more important to the data to forget than to all the data',
    paper: 'Foster et al., AAAI 2024',
    mask: 'optional',
    oneShot: true,
    asksRatio: false,
    recipe: { epochs: 1 },
    recipeSource: 'One-shot: the recipe is unused except for the batch size of the importance passes (the authors: 128 for random forgetting, 64 class-wise).',
    options: {
      key: 'ssd',
      description: 'SSD: θ ← θ·min(lambda·I_D/I_Df, 1) where I_Df > alpha·I_D',
      params: dampeningParams({
        alpha:
          "the authors' selection_weighting = 10 for ResNet-18 on CIFAR (github.com/if-loops/selective-synaptic-dampening, random_main.py, full_class_main.py)",
        lambda: "the authors' dampening_constant = 1 (same files)",
      }),
    },
    grid: [
      { param: 'ssd.alpha', values: [3, 10, 30] },
      { param: 'ssd.lambda', values: [0.5, 1] },
    ],
    tableOrder: 42,
  },
  lfssd: {
    label: 'LFSSD',
    summary: 'label-free SSD',
    description: "SSD with importances from the outputs' norm instead of the loss: no labels needed",
    paper: 'Foster et al., ICLR 2024 Tiny Papers',
    mask: 'optional',
    oneShot: true,
    asksRatio: false,
    recipe: { epochs: 1 },
    recipeSource: 'One-shot: the recipe is unused except for the batch size of the importance passes.',
    options: {
      key: 'lfssd',
      description: 'LFSSD: SSD with I = mean over batches of |∇‖f(x)‖₂²|',
      params: dampeningParams({
        alpha: "SSD's: the LFSSD code (the SSD repository's README) changes only the importance, not the rule's constants",
        lambda: "SSD's (the same README)",
      }),
    },
    grid: [
      { param: 'lfssd.alpha', values: [3, 10, 30] },
      { param: 'lfssd.lambda', values: [0.5, 1] },
    ],
    tableOrder: 44,
  },
  sfron: {
    label: 'SFR-on',
    summary: 'masked adaptive ascent between retain steps',
    description: 'Weighted ascent on the data to forget inside a Fisher-ratio mask, between fine-tuning steps',
    paper: 'Huang et al., NeurIPS 2024',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: { epochs: 4, lr: 0.01, schedule: 'cosine' },
    recipeSource:
      "The authors' CIFAR-10 10% setting (github.com/K1nght/Unified-Unlearning-w-Remain-Geometry, Classification/unlearn/sfron.py: SGD lr 0.01 cosine-annealed per step, momentum 0.9, weight decay 5e-4, batches of 128, 1500 steps ≈ 4.3 passes over the retain set, so 4 epochs).",
    options: {
      key: 'sfron',
      description: 'SFR-on: a masked, clipped, adaptive-weighted ascent step every forgetEvery retain steps',
      params: {
        forgetAlpha: {
          default: 25,
          minimum: 0,
          maximum: 1e4,
          description: 'Weight of the forget loss at step 0; it decays with the cosine of the rate',
          source: "the authors' forget_alpha = 25 (sfron.py)",
        },
        forgetEvery: {
          default: 5,
          minimum: 1,
          maximum: 1000,
          integer: true,
          description: 'A forget step before every forgetEvery-th retain step',
          source: "the authors' forget_freq = 5",
        },
        maxNorm: {
          default: 7,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 1e6,
          description: "The forget step's gradient is clipped to this global L2 norm",
          source: "the authors' max_norm = 7",
        },
        threshold: {
          default: 1,
          minimum: 0,
          maximum: 1e6,
          description: 'A weight is in the forget mask when its Fisher on Df is at least threshold × its Fisher on Dr',
          source: "the authors' th (γ in the paper) = 1",
        },
      },
    },
    grid: [
      { param: 'lr', values: [0.005, 0.01, 0.02] },
      { param: 'sfron.forgetAlpha', values: [10, 25, 50] },
    ],
    tableOrder: 88,
    singleThread: 'its weighted ascent and masked, clipped forget steps are its own loop',
  },
  rum: {
    label: 'RUM',
    summary: 'a method per memorisation third, least memorised first',
    description: 'Splits the data to forget by memorisation and runs SalUn (or another method) on each third',
    paper: 'Zhao et al., NeurIPS 2024',
    mask: 'optional',
    oneShot: false,
    asksRatio: false,
    recipe: {},
    recipeSource: "The inner method's own recipe on every third (the paper's RUM^F runs one method throughout); DEFAULT_UNLEARN for SalUn.",
    inner: {
      default: 'salun',
      description: 'The method RUM runs on each third (any row but the automatic recipes and RUM)',
      source: 'SalUn is the method the paper reports RUM improving most and this lab recommends',
    },
    innerRuns: 3,
    options: {
      key: 'rum',
      description: 'RUM: the memorisation proxy (holdout retraining) and the inner method',
      params: {
        proxyEpochs: {
          default: 5,
          minimum: 1,
          maximum: 100,
          integer: true,
          description: "Epochs of the proxy's fine-tune of a copy of θo on the held-out (test) rows",
          source: 'the authors fine-tune up to 30 epochs with early stopping (memorization_proxy/heldout_retrain.py); 5 here to keep the proxy cheaper than θo',
        },
        proxyLr: {
          default: 0.01,
          minimum: 0,
          exclusiveMinimum: true,
          maximum: 10,
          description: "Constant rate of the proxy's fine-tune (SGD, momentum 0.9, weight decay 5e-4)",
          source: "the authors use 0.1 on ResNet-18 trained at 0.1; this lab's models train at 0.05, and the proxy only ranks examples",
        },
      },
    },
    grid: [{ param: 'rum.proxyEpochs', values: [2, 5, 10] }],
    tableOrder: 95,
  },
  esd: {
    label: 'ESD',
    summary: "erases a class with θo's own guidance",
    description: "The forgotten class's prediction is pushed to the unconditional one minus η times its guidance direction",
    paper: 'Gandikota et al., ICCV 2023',
    generation: {
      description:
        "Erased Stable Diffusion adapted to class conditioning: the forgotten class's prediction is pushed to θo's unconditional one minus η times its guidance direction.",
      usesMask: false,
      knob: 'eta',
      order: 20,
      grid: [
        { param: 'lr', values: [5e-5, 1e-4, 2e-4] },
        { param: 'eta', values: [0.5, 1, 2] },
      ],
    },
  },
} as const satisfies Record<string, MethodRow | GenerationOnlyRow>;

type Rows = typeof METHODS;

/** A method of a classification run: a row with the classifier fields. */
export type MethodName = { [K in keyof Rows]: Rows[K] extends { tableOrder: number } ? K : never }[keyof Rows];

/** Any row's name, of either task. */
export type MethodRowName = keyof Rows;

type ParamsOf<M extends MethodName> = Rows[M] extends { options: { params: infer P } } ? P : Record<never, never>;
type GroupKeyOf<M extends MethodName> = Rows[M] extends { options: { key: infer K extends string } } ? K : never;

/** A method's hyper-parameters with every default filled in (what its implementation receives). */
export type ResolvedOptionsOf<M extends MethodName> = { [P in keyof ParamsOf<M>]: number };

/** A meta-method's group also names the method it runs (MethodRow.inner). */
type InnerOf<M extends MethodName> = Rows[M] extends { inner: unknown } ? { inner?: MethodName } : unknown;

/** Per-method hyper-parameters as a config writes them; anything left out takes the row's default. */
export type MethodOptions = { [M in MethodName as GroupKeyOf<M>]?: Partial<ResolvedOptionsOf<M>> & InnerOf<M> };

/** Every group of MethodOptions with its defaults. */
export type ResolvedMethodOptions = { [M in MethodName as GroupKeyOf<M>]: ResolvedOptionsOf<M> };

/** A method option as a grid axis names it: '<options key>.<param>'. */
export type MethodOptionParam = { [M in MethodName]: `${GroupKeyOf<M>}.${keyof ParamsOf<M> & string}` }[MethodName];

const ROW_NAMES = Object.keys(METHODS) as (keyof Rows)[];
const forClassifiers = (m: keyof Rows): m is MethodName => 'tableOrder' in METHODS[m];

/** Whether the row describes a classifier method (its flat fields); genMethods.ts reads the generation facet. */
export function isClassifierRow(m: MethodRowName): m is MethodName {
  return forClassifiers(m);
}

export const METHOD_NAMES: readonly MethodName[] = ROW_NAMES.filter(forClassifiers);

/** Every row's name, both tasks, in the table's order. */
export const METHOD_ROW_NAMES: readonly MethodRowName[] = ROW_NAMES;

const row = (m: MethodName): MethodRow => METHODS[m];

/** The method a fresh run config and the New Run flow start with: the table's recommended row. */
export const DEFAULT_METHOD: MethodName = METHOD_NAMES.find((m) => row(m).recommended) ?? METHOD_NAMES[0];

/** Whether the New Run flow marks the method "recommended". */
export function isRecommendedMethod(method: MethodName): boolean {
  return row(method).recommended === true;
}

/** The pick list's short description of a method (MethodRow.summary). */
export function methodSummary(method: MethodName): string {
  return row(method).summary;
}

/** The pick list's detail line of a method (MethodRow.description). */
export function methodDescription(method: MethodName): string {
  return row(method).description;
}

export function isMethodName(v: unknown): v is MethodName {
  return typeof v === 'string' && METHOD_NAMES.some((m) => m === v);
}

/** The display name of a method of either task; anything that is not a method (a row role such as 'retrain') as given. */
export function methodLabel(method: string): string {
  return Object.hasOwn(METHODS, method) ? METHODS[method as keyof Rows].label : method;
}

/** The methods' order in `salun table` when none is given (Retrain always comes first, then Original). */
export const TABLE_METHOD_ORDER: readonly MethodName[] = [...METHOD_NAMES].sort((a, b) => row(a).tableOrder - row(b).tableOrder);

/** The rows a meta-method may run: every classifier row but the automatic recipes and the meta-methods. */
export const INNER_METHOD_NAMES: readonly MethodName[] = METHOD_NAMES.filter((m) => row(m).inner === undefined && row(m).autoOf === undefined);

/** The method a meta-method runs (the config's `inner`, else the row's default); undefined for any other row. */
export function innerMethodOf(method: MethodName, options?: MethodOptions): MethodName | undefined {
  const spec = row(method).inner;
  if (!spec) return undefined;
  const key = row(method).options?.key;
  const given = key ? (options as Record<string, { inner?: unknown } | undefined> | undefined)?.[key]?.inner : undefined;
  const name = given ?? spec.default;
  return INNER_METHOD_NAMES.find((m) => m === name);
}

/** The methodOptions that make a meta-method run `inner` (the New Run flow's answer); {} for any other row. */
export function innerOptions(method: MethodName, inner: MethodName | undefined): MethodOptions {
  const key = row(method).options?.key;
  if (!inner || !row(method).inner || !key || !INNER_METHOD_NAMES.includes(inner)) return {};
  return { [key]: { inner } };
}

/** A meta-method's inner-method question (MethodRow.inner): its default and why; undefined for any other row. */
export function innerQuestion(method: MethodName): { default: MethodName; description: string; runs: number } | undefined {
  const spec = row(method).inner;
  const d = INNER_METHOD_NAMES.find((m) => m === spec?.default);
  return spec && d ? { default: d, description: spec.description, runs: row(method).innerRuns ?? 1 } : undefined;
}

/** The inner-method setting of an option group (MethodRow.inner), when its row is a meta-method. */
export function groupInner(key: string): MethodRow['inner'] {
  return METHOD_NAMES.map(row).find((r) => r.options?.key === key)?.inner;
}

/** Whether the run computes the saliency mask: always for a method defined inside it, else when asked; a meta-method's is its inner method's. */
export function methodUsesMask(method: MethodName, masked = false, options?: MethodOptions): boolean {
  const inner = innerMethodOf(method, options);
  if (inner) return methodUsesMask(inner, masked);
  return row(method).mask === 'always' || masked;
}

/** Methods defined inside the saliency mask (SalUn): `masked` adds nothing to them. */
export function alwaysMasked(method: MethodName): boolean {
  return row(method).mask === 'always';
}

/** The automatic recipe of a method (`"unlearn": { "auto": true }`): the row whose autoOf names it; an automatic row is its own. */
export function autoMethodFor(method: MethodName): MethodName | undefined {
  if (row(method).autoOf !== undefined) return method;
  return METHOD_NAMES.find((m) => row(m).autoOf === method);
}

/** The methods that have an automatic recipe, in table order. */
export function methodsWithAuto(): MethodName[] {
  return METHOD_NAMES.filter((m) => row(m).autoOf === undefined && autoMethodFor(m) !== undefined);
}

/** How many times onEpoch is called: a one-shot method is a single step; a meta-method its inner method's epochs per run. */
export function methodEpochs(method: MethodName, recipe: OptimizerRecipe, options?: MethodOptions): number {
  const inner = innerMethodOf(method, options);
  if (inner) return (row(method).innerRuns ?? 1) * methodEpochs(inner, recipe);
  return row(method).oneShot ? 1 : recipe.epochs;
}

/** A method's starting recipe, before any grid search: DEFAULT_UNLEARN with the row's changes. */
export function defaultUnlearnRecipe(method: MethodName, options?: MethodOptions): OptimizerRecipe {
  const inner = innerMethodOf(method, options);
  return { ...DEFAULT_UNLEARN, ...row(inner ?? method).recipe };
}

/** Every method option group, in table order. */
export function methodOptionGroups(): MethodOptionGroup[] {
  return METHOD_NAMES.flatMap((m) => row(m).options ?? []);
}

/** The option group a method reads from `methodOptions`, if it has one. */
export function methodOptionGroup(method: MethodName): MethodOptionGroup | undefined {
  return row(method).options;
}

function defaultsOf(group: MethodOptionGroup): Record<string, number> {
  return Object.fromEntries(Object.entries(group.params).map(([k, spec]) => [k, spec.default]));
}

/** Every option's default, by group (what a config that sets none gets). */
export const DEFAULT_METHOD_OPTIONS = Object.fromEntries(methodOptionGroups().map((g) => [g.key, defaultsOf(g)])) as ResolvedMethodOptions;

/** One method's options: the config's values over the row's defaults. */
export function resolvedOptions<M extends MethodName>(method: M, options: MethodOptions | undefined): ResolvedOptionsOf<M> {
  const group = row(method).options;
  if (!group) return {} as ResolvedOptionsOf<M>;
  const given = (options as Record<string, Record<string, number> | undefined> | undefined)?.[group.key];
  return { ...defaultsOf(group), ...given } as ResolvedOptionsOf<M>;
}

/** The grid axis name of every method option, in table order. */
export const METHOD_OPTION_PARAMS = methodOptionGroups().flatMap((g) => Object.keys(g.params).map((p) => `${g.key}.${p}`)) as MethodOptionParam[];

/** A method option by its grid axis name ('iu.alpha'), or undefined. */
export function methodOptionSpec(param: string): MethodOptionSpec | undefined {
  const dot = param.indexOf('.');
  const group = methodOptionGroups().find((g) => g.key === param.slice(0, dot));
  return group && Object.hasOwn(group.params, param.slice(dot + 1)) ? group.params[param.slice(dot + 1)] : undefined;
}

function lowerBound(spec: MethodOptionSpec): string {
  if (spec.minimum === 0) return spec.exclusiveMinimum ? 'positive' : 'non-negative';
  if (spec.minimum === 1 && spec.integer && !spec.exclusiveMinimum) return 'positive';
  return `${spec.exclusiveMinimum ? 'above' : 'at least'} ${spec.minimum} and`;
}

/** What values outside the option's range break ("positive integers up to 4096", …), or undefined when all are in range. */
export function optionRangeProblem(spec: MethodOptionSpec, values: readonly number[]): string | undefined {
  const inRange = (v: number): boolean =>
    (spec.exclusiveMinimum ? v > spec.minimum : v >= spec.minimum) && v <= spec.maximum && (!spec.integer || Number.isInteger(v));
  return values.every(inRange) ? undefined : `${lowerBound(spec)}${spec.integer ? ' integers' : ''} up to ${spec.maximum}`;
}

/** The phase label while a method runs: "SalUn: 5 epochs", "IU (masked): one step". */
export function methodRunLabel(method: MethodName, masked: boolean | undefined, epochs: number, options?: MethodOptions): string {
  const r = row(method);
  const inner = innerMethodOf(method, options);
  const name = inner ? `${r.label} (${row(inner).label})` : r.label;
  return `${name}${masked && r.mask !== 'always' ? ' (masked)' : ''}: ${r.oneShot ? 'one step' : `${epochs} epochs`}`;
}

/** The warning when data-parallel workers were asked for but the method computes its own gradients. */
export function singleThreadNote(method: MethodName): string | undefined {
  const why = row(method).singleThread;
  return why ? `${row(method).label}: one thread (workers apply to trainPass; ${why})` : undefined;
}

/** The methods `salun audit` audits when none are given, in table order. */
export const AUDIT_DEFAULT_METHODS: readonly MethodName[] = TABLE_METHOD_ORDER.filter((m) => row(m).auditedByDefault === true);
