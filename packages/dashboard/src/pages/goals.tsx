/** Goals: to be built (issue 12). */
export function Goals() {
  return (
    <section>
      <h1>Goals</h1>
    </section>
  );
}
