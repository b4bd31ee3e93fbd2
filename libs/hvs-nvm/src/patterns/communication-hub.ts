// Pattern 3: models talking through HVS mailboxes, and finding models whose state vectors are close.
import {
  InvalidArgumentError,
  type HVS,
  type ModelConnection,
  type ReceivedMessage,
  type SearchResult,
  type VectorInput,
} from '@hvs-nvm/hvs';

export class ModelCommunicationHub {
  readonly models = new Map<string, { connection: ModelConnection }>();

  constructor(readonly hvs: HVS) {}

  async registerModel(modelId: string): Promise<ModelConnection> {
    const connection = await this.hvs.connectModel(modelId);
    this.models.set(modelId, { connection });
    return connection;
  }

  sendMessage(fromModel: string, toModel: string, message: unknown): Promise<string> {
    return this.hvs.sendMessage(fromModel, toModel, message);
  }

  /** Sends to every model registered with this hub, except the sender and `exclude`; returns the recipients. */
  async broadcast(fromModel: string, message: unknown, exclude: string[] = []): Promise<string[]> {
    if (!Array.isArray(exclude)) throw new InvalidArgumentError('broadcast exclude is an array of model ids');
    const skip = new Set([fromModel, ...exclude]);
    const to = [...this.models.keys()].filter((m) => !skip.has(m));
    await Promise.all(to.map((m) => this.sendMessage(fromModel, m, message)));
    return to;
  }

  receiveMessages(modelId: string): Promise<ReceivedMessage[]> {
    return this.hvs.receiveMessages(modelId);
  }

  /** Publishes a model's state vector (one per model, replaced on each call) for querySimilarStates. */
  async publishState(modelId: string, stateVector: VectorInput, metadata: Record<string, unknown> = {}): Promise<string> {
    // Checked before it goes into the vector id: a template literal would throw a raw TypeError on a hostile value.
    if (typeof modelId !== 'string') throw new InvalidArgumentError('publishState takes a model id string');
    return this.hvs.storeVector(stateVector, { ...metadata, type: 'model_state', model_id: modelId }, { id: `state-${modelId}` });
  }

  /** The k models whose published state is nearest to `stateVector`, never the asking model itself. */
  querySimilarStates(modelId: string, stateVector: VectorInput, k = 5): Promise<SearchResult[]> {
    return this.hvs.semanticSearch(stateVector, { k, filter: { type: 'model_state', model_id: { $ne: modelId } } });
  }
}
