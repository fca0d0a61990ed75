/** Tensor: to be built (issue 12). */
export function Tensor() {
  return (
    <section>
      <h1>Tensor</h1>
    </section>
  );
}
