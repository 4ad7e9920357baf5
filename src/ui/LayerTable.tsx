// The per-layer table: every layer's shape, how far apart its units are, and its latest ‖∂J/∂W_l‖_F, input layer first.
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';

const NO_LAYERS: [number, number][] = [];

export function LayerTable() {
  const { shapes, norms, spread } = useStore(
    useShallow((s) => ({ shapes: s.run.model?.shapes ?? NO_LAYERS, norms: s.run.latest?.gradNorms ?? null, spread: s.run.evaluation?.unitSpread ?? null })),
  );
  return (
    <table className="layers" aria-label="Per-layer gradient norm">
      <caption>Per-layer gradient norm ‖∂J/∂W‖_F (latest step)</caption>
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">W shape</th>
          <th scope="col" title="max |w_ij − w_i1| over the units j of a hidden layer: 0 when every unit is the same">
            Units differ by
          </th>
          <th scope="col">‖∂J/∂W‖_F</th>
        </tr>
      </thead>
      <tbody>
        {shapes.map(([fanIn, fanOut], l) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a layer is its position in the model
          <tr key={l}>
            <th scope="row">{l === shapes.length - 1 ? `${l + 1} (output)` : l + 1}</th>
            <td>
              {fanIn} × {fanOut}
            </td>
            <td>{spread && l < spread.length && l < shapes.length - 1 ? spread[l].toPrecision(3) : '–'}</td>
            <td>{norms && l < norms.length ? norms[l].toExponential(3) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
