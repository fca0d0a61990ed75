/** Agents: to be built (issue 12). */
export function Agents() {
  return (
    <section>
      <h1>Agents</h1>
    </section>
  );
}
