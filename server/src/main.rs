fn main() {
    println!("qoima");
}
