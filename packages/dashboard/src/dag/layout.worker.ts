import { layoutDag, type LayoutRequest, type Positions } from './layout.ts';

/** Lays out off the main thread: `{key, request}` in, `{key, positions}` out. */
export interface LayoutMessage {
  key: string;
  request: LayoutRequest;
}
export interface LayoutAnswer {
  key: string;
  positions: Positions;
}

// The page's tsconfig has the DOM library, not the worker one: only what this file uses.
const scope = self as unknown as {
  onmessage: ((m: MessageEvent<LayoutMessage>) => void) | null;
  postMessage(answer: LayoutAnswer): void;
};

scope.onmessage = (m) => {
  scope.postMessage({ key: m.data.key, positions: layoutDag(m.data.request) });
};
