// The SalUn authors' recipe for unlearning a class from a class-conditional DDPM, and where each
// number comes from (OPTML-Group/Unlearn-Saliency, DDPM/). A run that changes one says so.

export const GENERATION_UNLEARN_RECIPE = {
  /** Adam learning rate. */
  lr: 1e-4,
  iterations: 1000,
  /** Share of weights the saliency mask lets move. */
  ratio: 0.5,
  /** Weight of the retain set's denoising loss. */
  beta: 1e-3,
  /** Images per forget and per retain batch. */
  batchSize: 128,
  /** Global gradient-norm clip, applied before the mask as theirs is. */
  gradClip: 1.0,
  /** Class dropout in the retain term (their remain loss is the training loss). */
  pUncond: 0.1,
  /** ESD's negative guidance η. */
  eta: 1.0,
} as const;

export const GENERATION_UNLEARN_SOURCES: Record<keyof typeof GENERATION_UNLEARN_RECIPE, string> = {
  lr: 'configs/cifar10_saliency_unlearn.yml optim (Adam, lr 0.0001, weight decay 0)',
  iterations: "the paper (Fan et al. 2024, DDPM experiments: 1,000 iterations); the repository's cifar10_saliency_unlearn.yml has n_iters 500",
  ratio: "train.py --mask_ratio default 0.5; the paper's default sparsity",
  beta: "README.md's saliency_unlearn command, --alpha 1e-3 (the paper's β; β = 0 destroyed every class)",
  batchSize: 'configs/cifar10_saliency_unlearn.yml training.batch_size 128',
  gradClip: 'configs/cifar10_saliency_unlearn.yml optim.grad_clip 1.0 (clip_grad_norm_ before the mask is applied)',
  pUncond: 'configs/cifar10_saliency_unlearn.yml model.cond_drop_prob 0.1, used by the remain loss',
  eta: "ESD (Gandikota et al. 2023), train-esd.py --negative_guidance default 1; SalUn's own DDPM train_esd takes --negative_guidance, default 7.5",
};
