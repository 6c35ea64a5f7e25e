import type { ReactNode } from 'react';
import type { ModelInfo } from '../../../src/core/types.ts';

/** The badge text for a model: "Offline · extractive" for the offline answerer, else the model's name. */
export function modelLabel(model: ModelInfo): string {
  return model.extractive ? 'Offline · extractive' : model.name;
}

/** A small badge naming which model answered. */
export function ModelBadge({ model }: { model: ModelInfo }): ReactNode {
  return (
    <span className={model.extractive ? 'badge badge-offline' : 'badge'} title="The model that answers">
      {modelLabel(model)}
    </span>
  );
}
