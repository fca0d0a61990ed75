/** Submit: to be built (issue 12). */
export function Submit() {
  return (
    <section>
      <h1>Submit</h1>
    </section>
  );
}
