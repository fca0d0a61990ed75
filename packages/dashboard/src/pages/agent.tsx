/** Agent: to be built (issue 12). */
export function Agent({ id }: { id: string }) {
  return (
    <section>
      <h1>Agent {id}</h1>
    </section>
  );
}
