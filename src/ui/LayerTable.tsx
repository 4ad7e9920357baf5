// The per-layer table: the latest ‖∂J/∂W_l‖_F of every layer, input layer first.
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';

const NO_LAYERS: [number, number][] = [];

export function LayerTable() {
  const { shapes, norms } = useStore(useShallow((s) => ({ shapes: s.run.model?.shapes ?? NO_LAYERS, norms: s.run.latest?.gradNorms ?? null })));
  return (
    <table className="layers" aria-label="Per-layer gradient norm">
      <caption>Per-layer gradient norm ‖∂J/∂W‖_F (latest step)</caption>
      <thead>
        <tr>
          <th scope="col">Layer</th>
          <th scope="col">W shape</th>
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
            <td>{norms && l < norms.length ? norms[l].toExponential(3) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
