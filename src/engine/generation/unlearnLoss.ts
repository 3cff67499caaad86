// What the generation unlearning losses share: their result (the total and its gradients in
// unetVariables order, plus the forget term alone for progress), and the frozen model θo's role.
//
// θo's predictions are targets, never functions of θu: they are computed before the gradient scope
// opens (tf.variableGrads records nothing of them), in a tidy, and enter the loss as constants —
// PyTorch's `.detach()`/`torch.no_grad()` in the authors' code.
import type { T } from '../tf';
import type { LossGradients } from './loss';

export interface UnlearnLossGradients extends LossGradients {
  /** The forget term alone (for SalUn-gen and RL-gen the total adds the weighted retain term). */
  forget: T.Scalar;
}
