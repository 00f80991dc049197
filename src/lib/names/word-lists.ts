// The two word lists random container names are drawn from: cheerful adjectives, and surnames of
// scientists, mathematicians and engineers whose work shaped computing and science. Lower-case ASCII
// only, so every combination is a valid container name.
export const ADJECTIVES: readonly string[] = [
  'able', 'agile', 'airy', 'amiable', 'ample', 'apt', 'ardent', 'astute', 'awake', 'balmy',
  'beaming', 'blithe', 'bouncy', 'brainy', 'breezy', 'bright', 'brisk', 'buoyant', 'calm', 'candid',
  'careful', 'charming', 'cheery', 'chipper', 'civil', 'clear', 'comely', 'cosmic', 'crisp', 'curious',
  'dapper', 'daring', 'deft', 'devoted', 'diligent', 'dreamy', 'dynamic', 'earnest', 'easy', 'epic',
  'fair', 'fearless', 'fervent', 'fine', 'fluent', 'frank', 'friendly', 'frosty', 'gallant', 'genial',
  'gentle', 'giddy', 'glad', 'gleaming', 'golden', 'graceful', 'grand', 'hardy', 'hearty', 'honest',
  'humble', 'idyllic', 'jaunty', 'jovial', 'joyful', 'kind', 'lively', 'lucid', 'lucky', 'lunar',
  'mellow', 'merry', 'mighty', 'mindful', 'nimble', 'noble', 'patient', 'placid', 'plucky', 'polished',
  'proud', 'quick', 'quiet', 'radiant', 'rapid', 'ready', 'robust', 'rosy', 'sage', 'savvy',
  'sincere', 'snappy', 'solar', 'spirited', 'splendid', 'steady', 'sturdy', 'sunny', 'swift', 'tidy',
  'tranquil', 'valiant', 'vivid', 'warm', 'wise', 'witty', 'zesty',
];

export const SURNAMES: readonly string[] = [
  'abel', 'agnesi', 'alhazen', 'ampere', 'anning', 'archimedes', 'aryabhata', 'avogadro', 'backus', 'bardeen',
  'barton', 'bayes', 'becquerel', 'bernoulli', 'berners', 'bohr', 'boltzmann', 'boole', 'born', 'bose',
  'brahe', 'brattain', 'burnell', 'cantor', 'carnot', 'carson', 'cauchy', 'cavendish', 'cerf', 'chadwick',
  'chandrasekhar', 'clausius', 'codd', 'conway', 'copernicus', 'corbato', 'coulomb', 'crick', 'dahl', 'dalton',
  'darwin', 'dedekind', 'descartes', 'dijkstra', 'dirac', 'doppler', 'eckert', 'edison', 'einstein', 'engelbart',
  'erdos', 'euclid', 'euler', 'faraday', 'fermat', 'fermi', 'feynman', 'fibonacci', 'fleming', 'fourier',
  'franklin', 'fresnel', 'galois', 'gauss', 'germain', 'gibbs', 'godel', 'goodall', 'hamilton', 'hamming',
  'hawking', 'heaviside', 'heisenberg', 'helmholtz', 'hertz', 'hilbert', 'hoare', 'hodgkin', 'hooke', 'hopper',
  'hubble', 'huffman', 'huygens', 'jacobi', 'jemison', 'johnson', 'joule', 'kahn', 'kelvin', 'kepler',
  'kernighan', 'kilby', 'knuth', 'kolmogorov', 'kovalevskaya', 'lagrange', 'lamarr', 'lamport', 'laplace', 'lavoisier',
  'leavitt', 'leibniz', 'liskov', 'lovelace', 'lorentz', 'maxwell', 'mcclintock', 'meitner', 'mendel', 'mendeleev',
  'minsky', 'mirzakhani', 'moore', 'napier', 'nash', 'neumann', 'newton', 'noether', 'nyquist', 'ohm',
  'oppenheimer', 'pascal', 'pasteur', 'pauli', 'perlman', 'planck', 'poincare', 'ramanujan', 'riemann', 'ritchie',
  'roentgen', 'rutherford', 'sagan', 'sammet', 'schrodinger', 'shannon', 'shockley', 'somerville', 'stallman', 'sutherland',
  'tarjan', 'tesla', 'thompson', 'torvalds', 'turing', 'volta', 'wiener', 'wilkes', 'wirth', 'wozniak',
  'wu', 'yalow', 'yonath', 'zuse',
];
