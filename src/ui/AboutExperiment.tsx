// The panel that says what the chosen experiment shows: its caption and the book's section.
import { experimentById } from '../core/experiments';
import { useStore } from '../store/store';
import { useStrings } from './i18n';

export function AboutExperiment() {
  const id = useStore((s) => s.experiment);
  const t = useStrings();
  const experiment = id ? experimentById(id) : undefined;
  if (!experiment) return null;
  const text = t.experiments[experiment.id] ?? experiment;
  return (
    <section className="about-experiment" aria-label={t.about.region}>
      <h2>
        {t.about.title(text.label)} <span className="section">{t.about.book(experiment.section)}</span>
      </h2>
      <p>{text.caption}</p>
    </section>
  );
}
