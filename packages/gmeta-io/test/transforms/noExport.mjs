// A module that is not a batch transform: the loader must say what it lacks.
export const something = 1;
