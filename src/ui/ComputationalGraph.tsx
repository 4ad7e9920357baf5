// The computational graph of the current model (x → z → h → … → o → L, s, J) with each node's shape, forward norm and gradient norm at the last inspected step.
import { useState } from 'react';
import type { Histogram } from '../core/histogram';
import type { Inside } from '../core/inspection';
import { metrics } from '../store/metrics-buffer';
import { useStore } from '../store/store';
import { formatNumber, layerIndex } from './format';
import { type Strings, useStrings } from './i18n';

const sup = layerIndex;

interface GraphNode {
  id: string;
  name: string;
  /** Shape in the book's convention (one example; the batch has `rows` of them). */
  shape: string;
  forward: string;
  backward: string;
  /** What the node computes and its gradient, shown on hover or focus. */
  formula: string;
  column: 'main' | 'params';
  row: number;
}

type GraphText = Strings['inside']['graph'];
function nonFinite(g: GraphText, h: Histogram): string {
  const count = h.nan + h.positiveInfinity + h.negativeInfinity;
  return count > 0 ? ` · ${g.notFinite(count)}` : '';
}

/** The nodes of the graph, top (input) to bottom (objective). */
export function graphNodes(g: GraphText, inside: Inside, loss: number | null, l2: number | null): GraphNode[] {
  const summarise = (h: Histogram) => `‖·‖ ${formatNumber(h.norm)} · μ ${formatNumber(h.mean)} · σ ${formatNumber(h.spread)}${nonFinite(g, h)}`;
  const gradient = (h: Histogram) => `‖∂J/∂·‖ ${formatNumber(h.norm)}${nonFinite(g, h)}`;
  const nodes: GraphNode[] = [];
  const L = inside.layers.length - 1; // hidden layers
  const n = inside.rows;
  let row = 0;
  nodes.push({
    id: 'x',
    name: 'x',
    shape: g.examples(inside.input.cols, n),
    forward: `‖x‖ ${formatNumber(inside.input.norm)}`,
    backward: g.noGradient,
    formula: g.x(n, inside.input.cols),
    column: 'main',
    row: row++,
  });
  for (const [i, layer] of inside.layers.entries()) {
    const l = i + 1;
    const output = i === L;
    const { fanIn, fanOut } = layer;
    const previous = i === 0 ? 'x' : `h${sup(i)}`;
    const z = output ? 'o' : `z${sup(l)}`;
    nodes.push({
      id: `W${l}`,
      name: `W${sup(l)}, b${sup(l)}`,
      // the statistics are W's (the weights decay and are drawn); b is the node's other parameter
      shape: `${fanOut} × ${fanIn}`,
      forward: summarise(layer.W),
      backward: gradient(layer.dW),
      formula: g.weights(sup(l), z, previous, inside.lambda),
      column: 'params',
      row,
    });
    nodes.push({
      id: output ? 'o' : `z${l}`,
      name: z,
      shape: `${fanOut} × ${n}`,
      forward: summarise(layer.z),
      backward: gradient(layer.dz),
      formula: output ? g.output(sup(l), previous) : g.hidden(sup(l), previous),
      column: 'main',
      row: row++,
    });
    if (!output && layer.h && layer.dh) {
      nodes.push({
        id: `h${l}`,
        name: `h${sup(l)}`,
        shape: `${fanOut} × ${n}`,
        forward: summarise(layer.h),
        backward: gradient(layer.dh),
        formula: g.activation(sup(l), inside.activation, sup(l + 1), l === L ? 'o' : `z${sup(l + 1)}`),
        column: 'main',
        row: row++,
      });
    }
  }
  nodes.push({
    id: 'L',
    name: 'L',
    shape: g.scalar,
    forward: loss === null ? 'L –' : `L = ${formatNumber(loss)}`,
    backward: '∂J/∂L = 1',
    formula: g.loss,
    column: 'main',
    row: row++,
  });
  nodes.push({
    id: 's',
    name: 's',
    shape: g.scalar,
    forward: l2 === null ? 's –' : `s = ${formatNumber(l2)}`,
    backward: '∂J/∂s = 1',
    formula: g.decay(inside.lambda),
    column: 'params',
    row,
  });
  nodes.push({
    id: 'J',
    name: 'J',
    shape: g.scalar,
    forward: loss === null || l2 === null ? 'J –' : `J = ${formatNumber(loss + l2)}`,
    backward: g.start,
    formula: g.objective,
    column: 'main',
    row: row++,
  });
  return nodes;
}

const NODE = { width: 230, height: 58, rowGap: 24, columnGap: 56, pad: 8 };

export function ComputationalGraph() {
  const inside = useStore((s) => s.run.evaluation?.inside ?? null);
  const step = useStore((s) => s.run.evaluation?.step ?? null);
  const [selected, setSelected] = useState<string | null>(null);
  const g = useStrings().inside.graph;
  if (!inside || step === null) {
    return (
      <section className="chart graph" aria-label={g.region}>
        <h2 className="panel-title">{g.region}</h2>
        <p>{g.empty}</p>
      </section>
    );
  }
  const at = metrics.steps.lastIndexOf(step);
  const nodes = graphNodes(g, inside, at >= 0 ? metrics.loss[at] : null, at >= 0 ? metrics.l2[at] : null);
  const rows = Math.max(...nodes.map((n) => n.row)) + 1;
  // the chain x → … → J on the left (what a narrow screen shows first), the parameters on the right
  const x = (column: GraphNode['column']) => NODE.pad + (column === 'main' ? 0 : NODE.width + NODE.columnGap);
  const y = (row: number) => NODE.pad + row * (NODE.height + NODE.rowGap);
  const width = 2 * NODE.width + NODE.columnGap + 2 * NODE.pad;
  const height = y(rows) - NODE.rowGap + NODE.pad;
  const main = nodes.filter((n) => n.column === 'main');
  const params = nodes.filter((n) => n.column === 'params' && n.id !== 's');
  const s = nodes.find((n) => n.id === 's')!;
  const shown = nodes.find((n) => n.id === selected) ?? null;
  const centre = (n: GraphNode) => x(n.column) + NODE.width / 2;
  // forward edges solid and pointing down/right; backward edges dashed beside them, pointing up/left
  const edges: { key: string; x1: number; y1: number; x2: number; y2: number }[] = [];
  for (let i = 0; i + 1 < main.length; i++) {
    const [a, b] = [main[i], main[i + 1]];
    edges.push({ key: `${a.id}-${b.id}`, x1: centre(a), y1: y(a.row) + NODE.height, x2: centre(b), y2: y(b.row) });
  }
  for (const p of params)
    edges.push({ key: `${p.id}-z`, x1: x('params'), y1: y(p.row) + NODE.height / 2, x2: x('main') + NODE.width, y2: y(p.row) + NODE.height / 2 });
  // every W feeds s (through a bus on the right), and s feeds J
  const busX = width - NODE.pad / 2;
  const jNode = main[main.length - 1];
  return (
    <section className="chart graph" aria-label={g.region}>
      <h2 className="panel-title">{g.title(step)}</h2>
      <p className="caption">{g.caption(inside.rows)}</p>
      <div className="graph-scroll">
        <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} aria-label={g.nodes}>
          <defs>
            <marker id="arrow-forward" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#1f3a5f" />
            </marker>
            <marker id="arrow-backward" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#b35900" />
            </marker>
          </defs>
          {edges.map((e) => {
            const vertical = e.x1 === e.x2;
            const [dx, dy] = vertical ? [6, 0] : [0, 6];
            return (
              <g key={e.key}>
                <line x1={e.x1 - dx} y1={e.y1 - dy} x2={e.x2 - dx} y2={e.y2 - dy} className="edge-forward" markerEnd="url(#arrow-forward)" />
                <line x1={e.x2 + dx} y1={e.y2 + dy} x2={e.x1 + dx} y2={e.y1 + dy} className="edge-backward" markerEnd="url(#arrow-backward)" />
              </g>
            );
          })}
          {params.map((p) => (
            <line
              key={`${p.id}-bus`}
              x1={x('params') + NODE.width}
              y1={y(p.row) + NODE.height / 2}
              x2={busX}
              y2={y(p.row) + NODE.height / 2}
              className="edge-bus"
            />
          ))}
          <line x1={busX} y1={y(params[0]?.row ?? s.row) + NODE.height / 2} x2={busX} y2={y(s.row) + NODE.height / 2} className="edge-bus" />
          <line
            x1={busX}
            y1={y(s.row) + NODE.height / 2}
            x2={x('params') + NODE.width}
            y2={y(s.row) + NODE.height / 2}
            className="edge-forward"
            markerEnd="url(#arrow-forward)"
          />
          <line
            x1={x('params')}
            y1={y(s.row) + NODE.height / 2 - 6}
            x2={x('main') + NODE.width}
            y2={y(jNode.row) + NODE.height / 2 - 6}
            className="edge-forward"
            markerEnd="url(#arrow-forward)"
          />
          <line
            x1={x('main') + NODE.width}
            y1={y(jNode.row) + NODE.height / 2 + 6}
            x2={x('params')}
            y2={y(s.row) + NODE.height / 2 + 6}
            className="edge-backward"
            markerEnd="url(#arrow-backward)"
          />
          {nodes.map((n) => (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes focus and names itself
            <g
              key={n.id}
              role="button"
              tabIndex={0}
              aria-describedby={selected === n.id ? 'graph-formula' : undefined}
              aria-label={`${n.name}: ${n.shape}; ${n.forward}; ${n.backward}`}
              className={`graph-node ${n.column}${selected === n.id ? ' selected' : ''}`}
              transform={`translate(${x(n.column)}, ${y(n.row)})`}
              onMouseEnter={() => setSelected(n.id)}
              onFocus={() => setSelected(n.id)}
              onClick={() => setSelected(n.id)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  setSelected(n.id);
                }
              }}
            >
              <rect width={NODE.width} height={NODE.height} rx={6} />
              <text x={8} y={17} className="node-name">
                {n.name} <tspan className="node-shape">{n.shape}</tspan>
              </text>
              <text x={8} y={34} className="node-forward">
                {n.forward}
              </text>
              <text x={8} y={50} className="node-backward">
                {n.backward}
              </text>
            </g>
          ))}
        </svg>
      </div>
      <p className="graph-formula" id="graph-formula">
        {shown ? (
          <>
            <strong>{shown.name}</strong> ({shown.shape}): {shown.formula}
          </>
        ) : (
          g.hint
        )}
      </p>
    </section>
  );
}
