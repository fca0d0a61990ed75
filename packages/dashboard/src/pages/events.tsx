/** Events: to be built (issue 12). */
export function Events() {
  return (
    <section>
      <h1>Events</h1>
    </section>
  );
}
