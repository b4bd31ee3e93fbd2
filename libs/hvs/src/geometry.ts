// The distance maths of the three geometries live with the vector index (libs/vector-index); re-exported for hvs.
export {
  GEOMETRIES,
  checkVector,
  distance,
  distanceFrom,
  euclideanDistance,
  hyperboloidDistance,
  lorentzToPoincare,
  poincareDistance,
  poincareToLorentz,
  score,
  sphericalDistance,
  toVector,
  type DistanceFrom,
  type Geometry,
  type VectorInput,
} from '@hvs-nvm/vector-index';
