// The computational graph of the current model (x → z → h → … → o → L, s, J) with each node's shape, forward norm and gradient norm at the last inspected step.
import { useState } from 'react';
import type { Histogram } from '../core/histogram';
import type { Inside } from '../core/inspection';
import { metrics } from '../store/metrics-buffer';
import { useStore } from '../store/store';
import { formatNumber, layerIndex } from './format';

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

const summarise = (h: Histogram) => `‖·‖ ${formatNumber(h.norm)} · μ ${formatNumber(h.mean)} · σ ${formatNumber(h.spread)}${nonFinite(h)}`;
const gradient = (h: Histogram) => `‖∂J/∂·‖ ${formatNumber(h.norm)}${nonFinite(h)}`;
function nonFinite(h: Histogram): string {
  const count = h.nan + h.positiveInfinity + h.negativeInfinity;
  return count > 0 ? ` · ${count} not finite` : '';
}

/** The nodes of the graph, top (input) to bottom (objective). */
export function graphNodes(inside: Inside, loss: number | null, l2: number | null): GraphNode[] {
  const nodes: GraphNode[] = [];
  const L = inside.layers.length - 1; // hidden layers
  const n = inside.rows;
  let row = 0;
  nodes.push({
    id: 'x',
    name: 'x',
    shape: `${inside.input.cols} × ${n} examples`,
    forward: `‖x‖ ${formatNumber(inside.input.norm)}`,
    backward: 'input: no gradient needed',
    formula: `x: the batch of ${n} inputs, ${inside.input.cols} features each.`,
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
      formula: `∂J/∂W${sup(l)} = (∂J/∂${z}) ${previous}ᵀ + λW${sup(l)} (summed over the batch), λ = ${inside.lambda}. The weight decay term λW${sup(l)} comes from s.`,
      column: 'params',
      row,
    });
    nodes.push({
      id: output ? 'o' : `z${l}`,
      name: z,
      shape: `${fanOut} × ${n}`,
      forward: summarise(layer.z),
      backward: gradient(layer.dz),
      formula: output
        ? `o = W${sup(l)}${previous} + b${sup(l)}, the logits. ∂J/∂o = (softmax(o) − y)/n for each example (y one-hot).`
        : `z${sup(l)} = W${sup(l)}${previous} + b${sup(l)}. ∂J/∂z${sup(l)} = ∂J/∂h${sup(l)} ⊙ φ′(z${sup(l)}): small where φ is flat.`,
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
        formula: `h${sup(l)} = φ(z${sup(l)}), φ = ${inside.activation}. ∂J/∂h${sup(l)} = W${sup(l + 1)}ᵀ ∂J/∂${l === L ? 'o' : `z${sup(l + 1)}`}: the gradient from above, through the next weights.`,
        column: 'main',
        row: row++,
      });
    }
  }
  nodes.push({
    id: 'L',
    name: 'L',
    shape: 'scalar',
    forward: loss === null ? 'L –' : `L = ${formatNumber(loss)}`,
    backward: '∂J/∂L = 1',
    formula: 'L = (1/n) Σᵢ l(oᵢ, yᵢ), the mean cross-entropy of the batch: l = −log softmax(oᵢ)[yᵢ].',
    column: 'main',
    row: row++,
  });
  nodes.push({
    id: 's',
    name: 's',
    shape: 'scalar',
    forward: l2 === null ? 's –' : `s = ${formatNumber(l2)}`,
    backward: '∂J/∂s = 1',
    formula: `s = (λ/2) Σₗ ‖W${sup('l')}‖²_F, the weight decay term, λ = ${inside.lambda}. ∂s/∂W${sup('l')} = λW${sup('l')}.`,
    column: 'params',
    row,
  });
  nodes.push({
    id: 'J',
    name: 'J',
    shape: 'scalar',
    forward: loss === null || l2 === null ? 'J –' : `J = ${formatNumber(loss + l2)}`,
    backward: '∂J/∂J = 1: backpropagation starts here',
    formula: 'J = L + s, the objective that gradient descent minimises.',
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
  if (!inside || step === null) {
    return (
      <section className="chart graph" aria-label="Computational graph">
        <h2 className="panel-title">Computational graph</h2>
        <p>Train a step to see the graph with its values.</p>
      </section>
    );
  }
  const at = metrics.steps.lastIndexOf(step);
  const nodes = graphNodes(inside, at >= 0 ? metrics.loss[at] : null, at >= 0 ? metrics.l2[at] : null);
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
    <section className="chart graph" aria-label="Computational graph">
      <h2 className="panel-title">Computational graph · step {step}</h2>
      <p className="caption">
        Forward (solid arrows) computes each value from the one before; backward (dashed) carries ∂J/∂· from J back to every weight, through s too. Each node
        shows its norm, mean μ and spread σ over the batch of {inside.rows}, and the norm of J's gradient with respect to it; the weight nodes describe W (its
        bias b is the node's other parameter). Hover over or focus a node for its formula.
      </p>
      <div className="graph-scroll">
        <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} aria-label="Nodes of the computational graph">
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
          'Hover over or focus a node to see its formula.'
        )}
      </p>
    </section>
  );
}
