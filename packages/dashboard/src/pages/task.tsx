/** Task: to be built (issue 12). */
export function Task({ id }: { id: string }) {
  return (
    <section>
      <h1>Task {id}</h1>
    </section>
  );
}
