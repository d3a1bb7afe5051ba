/** A named lab's page, `/lab/NAME`: the same page as `/`, which reads the lab's name from the path. */
export { default } from '../../page';
