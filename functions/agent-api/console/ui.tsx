/** An error line read out as it appears, or nothing. */
export function ErrorNote(props: { message: string }) {
  if (!props.message) return null;
  return (
    <p role="alert" class="error">
      {props.message}
    </p>
  );
}
