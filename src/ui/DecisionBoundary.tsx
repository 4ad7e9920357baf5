// The decision boundary of a 2-D data set: the predicted class in each grid cell, tinted by confidence, under the training and test points.
import { useEffect, useRef } from 'react';
import { selectRun, useStore } from '../store/store';
import { useStrings } from './i18n';

const SIDE = 300;

/** Class c of q: evenly spaced hues, as solid (points) and tint (cells) colours. */
function classColor(c: number, q: number, alpha = 1): string {
  return `hsla(${Math.round((360 * c) / Math.max(q, 1) + 210) % 360}, 70%, 45%, ${alpha})`;
}

export function DecisionBoundary() {
  const t = useStrings();
  const run = useStore(selectRun);
  const canvas = useRef<HTMLCanvasElement>(null);
  const points = run.model?.points;
  const boundary = run.boundary;

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !points) return;
    ctx.clearRect(0, 0, SIDE, SIDE);
    if (!boundary && points.predicted) return; // the first boundary is on its way
    const grid = boundary?.grid ?? points.grid;
    const cell = SIDE / grid.size;
    const q = points.numClasses;
    for (let row = 0; boundary && row < grid.size; row++) {
      const { classes, confidence } = boundary;
      for (let col = 0; col < grid.size; col++) {
        const at = row * grid.size + col;
        // pale where the model hesitates (probability 1/q), deep where it is sure (1)
        const sure = Number.isFinite(confidence[at]) ? Math.max(0, (confidence[at] - 1 / q) / (1 - 1 / q)) : 0; // overflowed logits: pale
        ctx.fillStyle = classColor(classes[at], q, 0.06 + 0.42 * sure);
        ctx.fillRect(col * cell, row * cell, cell + 0.5, cell + 0.5);
      }
    }
    const toX = (x: number) => ((x - grid.xMin) / (grid.xMax - grid.xMin)) * SIDE;
    const toY = (y: number) => ((grid.yMax - y) / (grid.yMax - grid.yMin)) * SIDE;
    for (let i = 0; i < points.labels.length; i++) {
      ctx.beginPath();
      ctx.arc(toX(points.xy[2 * i]), toY(points.xy[2 * i + 1]), 2.2, 0, 2 * Math.PI);
      ctx.fillStyle = classColor(points.labels[i], q);
      ctx.fill();
    }
    ctx.lineWidth = 1.4;
    for (let i = 0; i < points.testLabels.length; i++) {
      ctx.beginPath();
      ctx.arc(toX(points.testXy[2 * i]), toY(points.testXy[2 * i + 1]), 3.2, 0, 2 * Math.PI);
      ctx.strokeStyle = classColor(points.testLabels[i], q);
      ctx.stroke();
    }
  }, [points, boundary]);

  if (!points) return null;
  return (
    <figure className="chart">
      <figcaption>{boundary ? t.boundary.step(boundary.step) : t.boundary.title}</figcaption>
      <canvas ref={canvas} width={SIDE} height={SIDE} role="img" aria-label={t.boundary.title} />
      <p className="caption">{points.predicted ? t.boundary.caption(String(boundary?.grid.size ?? '…')) : t.boundary.notPredicted}</p>
    </figure>
  );
}
