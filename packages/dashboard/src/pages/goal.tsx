/** Goal: to be built (issue 12). */
export function Goal({ id }: { id: string }) {
  return (
    <section>
      <h1>Goal {id}</h1>
    </section>
  );
}
