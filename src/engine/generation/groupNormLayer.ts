// GroupNorm as a tfjs-layers Layer, so a U-Net built with the functional API saves and loads as a
// plain LayersModel (models/io.ts). Keras 3's GroupNormalization has the same class name and weight
// names (gamma, beta) and the same `groups`/`epsilon` config keys, so its channels-last models map
// onto this one. The class is registered when this module is imported: any code that loads a
// generation model must import it first (unet.ts does).
import { tf, type T } from '../tf';
import { checkGroups, groupNorm, GROUP_NORM_EPSILON } from './groupNorm';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface GroupNormArgs extends LayerArgs {
  groups: number;
  epsilon?: number;
}

export class GroupNormalization extends tf.layers.Layer {
  static readonly className = 'GroupNormalization';
  readonly groups: number;
  readonly epsilon: number;
  private gamma?: T.LayerVariable;
  private beta?: T.LayerVariable;

  constructor(args: GroupNormArgs) {
    super(args);
    this.groups = args.groups;
    this.epsilon = args.epsilon ?? GROUP_NORM_EPSILON;
  }

  override build(inputShape: T.Shape | T.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as T.Shape;
    const channels = shape[shape.length - 1];
    if (shape.length !== 4 || channels === null) throw new Error(`GroupNormalization expects NHWC inputs with known channels, got [${shape.join(', ')}]`);
    checkGroups(channels, this.groups);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: T.Tensor | T.Tensor[]): T.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as T.Tensor4D;
    if (!this.gamma || !this.beta) throw new Error('GroupNormalization called before it was built');
    const gamma = this.gamma.read() as T.Tensor1D;
    const beta = this.beta.read() as T.Tensor1D;
    return tf.tidy(() => groupNorm(x, gamma, beta, this.groups, this.epsilon));
  }

  override computeOutputShape(inputShape: T.Shape | T.Shape[]): T.Shape | T.Shape[] {
    return inputShape;
  }

  override getConfig(): T.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(GroupNormalization);

export function groupNormalization(args: GroupNormArgs): GroupNormalization {
  return new GroupNormalization(args);
}
