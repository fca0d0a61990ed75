/** Overview: to be built (issue 12). */
export function Overview() {
  return (
    <section>
      <h1>Overview</h1>
    </section>
  );
}
