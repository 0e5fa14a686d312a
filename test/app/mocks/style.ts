// Style imports (.scss) compile to nothing under jest.
export default {}
