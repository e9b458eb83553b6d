// The page the Chromium tests drive: the edge runtime and the fixture model, on window.edge.
import { createMonitor, type Monitor } from '../../../src/edge/index.ts';
import { buildClassifier, churnClassifier } from '../../fixtures/onnx/build-model.ts';
import { featureRows } from '../helpers.ts';

const monitors: Record<string, Monitor> = {};
Object.assign(window, {
  edge: { createMonitor, model: () => buildClassifier(churnClassifier), featureRows, monitors },
  edgeReady: true,
});
