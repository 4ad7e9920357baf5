// The decision boundary of a 2-D data set: the predicted class in each grid cell, tinted, under the training points.
import { useEffect, useRef } from 'react';
import { selectRun, useStore } from '../store/store';

const SIDE = 300;

/** Class c of q: evenly spaced hues, as solid (points) and tint (cells) colours. */
function classColor(c: number, q: number, alpha = 1): string {
  return `hsla(${Math.round((360 * c) / Math.max(q, 1) + 210) % 360}, 70%, 45%, ${alpha})`;
}

export function DecisionBoundary() {
  const run = useStore(selectRun);
  const canvas = useRef<HTMLCanvasElement>(null);
  const points = run.model?.points;
  const boundary = run.boundary;

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !points) return;
    ctx.clearRect(0, 0, SIDE, SIDE);
    if (!boundary) return;
    const { grid, classes } = boundary;
    const cell = SIDE / grid.size;
    for (let row = 0; row < grid.size; row++) {
      for (let col = 0; col < grid.size; col++) {
        ctx.fillStyle = classColor(classes[row * grid.size + col], points.numClasses, 0.28);
        ctx.fillRect(col * cell, row * cell, cell + 0.5, cell + 0.5);
      }
    }
    const toX = (x: number) => ((x - grid.xMin) / (grid.xMax - grid.xMin)) * SIDE;
    const toY = (y: number) => ((grid.yMax - y) / (grid.yMax - grid.yMin)) * SIDE;
    for (let i = 0; i < points.labels.length; i++) {
      ctx.beginPath();
      ctx.arc(toX(points.xy[2 * i]), toY(points.xy[2 * i + 1]), 2.2, 0, 2 * Math.PI);
      ctx.fillStyle = classColor(points.labels[i], points.numClasses);
      ctx.fill();
    }
  }, [points, boundary]);

  if (!points) return null;
  return (
    <figure className="chart">
      <figcaption>Decision boundary{boundary ? ` · step ${boundary.step}` : ''}</figcaption>
      <canvas ref={canvas} width={SIDE} height={SIDE} role="img" aria-label="Decision boundary" />
      <p className="caption">
        Tint: the predicted class on a {boundary?.grid.size ?? '…'} × {boundary?.grid.size ?? '…'} grid; dots: training points by class.
      </p>
    </figure>
  );
}
